// A real OpenID provider for the browser tests: the certified `oidc-provider` library does the
// whole protocol (discovery, JWKS, authorization code + PKCE, token endpoint, signed ID tokens).
// Only the sign-in page in front of it is ours: a plain email + password form, so a test can
// sign in as a chosen account the way a person would.

import { generateKeyPairSync, randomBytes } from 'node:crypto';
import http from 'node:http';

import Provider from 'oidc-provider';

/** The people the provider knows. ATTEST_ADMIN_EMAILS should name alice. */
export const ACCOUNTS = {
  alice: {
    sub: 'idp-user-alice',
    email: 'alice@example.test',
    name: 'Alice Adams',
    password: 'alice-password',
  },
  bob: {
    sub: 'idp-user-bob',
    email: 'bob@example.test',
    name: 'Bob Brown',
    password: 'bob-password',
  },
  carol: {
    sub: 'idp-user-carol',
    email: 'carol@example.test',
    name: 'Carol Chen',
    password: 'carol-password',
  },
};

/** The client id Attest is registered under. */
export const CLIENT_ID = 'attest';

const SCOPES = 'openid email profile';

/**
 * Starts the provider on 127.0.0.1 with a random port.
 *
 * @param {{ redirectUri: string, accounts?: Record<string, { sub: string, email: string, name: string, password: string }> }} options
 *   the callback URL registered for Attest, and the people who may sign in (default ACCOUNTS)
 * @returns {Promise<{ issuer: string, clientId: string, clientSecret: string, stop(): Promise<void> }>}
 */
export async function startIdentityProvider({ redirectUri, accounts = ACCOUNTS }) {
  const server = http.createServer();
  await new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', resolve);
  });
  const issuer = `http://127.0.0.1:${server.address().port}`;
  const clientSecret = randomBytes(24).toString('hex');

  const provider = new Provider(issuer, {
    clients: [
      {
        client_id: CLIENT_ID,
        client_secret: clientSecret,
        redirect_uris: [redirectUri],
        grant_types: ['authorization_code'],
        response_types: ['code'],
        token_endpoint_auth_method: 'client_secret_basic',
      },
    ],
    adapter: memoryAdapter(),
    ttl: {
      AccessToken: 600,
      AuthorizationCode: 60,
      IdToken: 600,
      Interaction: 600,
      Session: 3600,
      Grant: 3600,
    },
    jwks: { keys: [signingKey()] },
    cookies: { keys: [randomBytes(32).toString('hex')] },
    claims: {
      openid: ['sub'],
      email: ['email', 'email_verified'],
      profile: ['name'],
    },
    // Okta, Entra ID and Google put the scope's claims into the ID token, and Attest reads
    // them from there; without this the library would move them to the userinfo endpoint.
    conformIdTokenClaims: false,
    features: { devInteractions: { enabled: false } },
    interactions: { url: (ctx, interaction) => `/interaction/${interaction.uid}` },
    // Attest is a first-party client: no consent screen, the requested scopes are granted.
    loadExistingGrant: firstPartyGrant,
    findAccount: (ctx, sub) => {
      const account = Object.values(accounts).find((a) => a.sub === sub);
      if (!account) return undefined;
      return {
        accountId: account.sub,
        claims: () => ({
          sub: account.sub,
          email: account.email,
          email_verified: true,
          name: account.name,
        }),
      };
    },
  });
  // Protocol errors go back to Attest as OAuth errors; only the provider's own faults are
  // worth printing.
  provider.on('server_error', (ctx, error) => console.error('identity provider error:', error));

  const protocol = provider.callback();
  server.on('request', (req, res) => {
    if (req.url.startsWith('/interaction/')) {
      signInPage(provider, accounts, req, res).catch((error) => {
        res.statusCode = 500;
        res.end(`sign-in page failed: ${error.message}`);
      });
    } else {
      protocol(req, res);
    }
  });

  return {
    issuer,
    clientId: CLIENT_ID,
    clientSecret,
    stop: () =>
      new Promise((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

/**
 * Keeps the provider's artifacts (sessions, grants, codes, tokens) in memory for this provider
 * only. Expiry is not enforced here: the library checks every artifact's `exp` itself, and a
 * test provider lives for a minute.
 */
function memoryAdapter() {
  const store = new Map();
  const sessionByUid = new Map();
  const keysByGrant = new Map();
  return class {
    constructor(model) {
      this.model = model;
    }

    async upsert(id, payload) {
      const key = `${this.model}:${id}`;
      store.set(key, payload);
      if (this.model === 'Session') sessionByUid.set(payload.uid, id);
      if (payload.grantId) {
        const keys = keysByGrant.get(payload.grantId) ?? [];
        keys.push(key);
        keysByGrant.set(payload.grantId, keys);
      }
    }

    async find(id) {
      return store.get(`${this.model}:${id}`);
    }

    async findByUid(uid) {
      return this.find(sessionByUid.get(uid));
    }

    async findByUserCode() {
      return undefined;
    }

    async consume(id) {
      const payload = store.get(`${this.model}:${id}`);
      if (payload) payload.consumed = Math.floor(Date.now() / 1000);
    }

    async destroy(id) {
      store.delete(`${this.model}:${id}`);
    }

    async revokeByGrantId(grantId) {
      for (const key of keysByGrant.get(grantId) ?? []) store.delete(key);
      keysByGrant.delete(grantId);
    }
  };
}

/** A fresh RSA key for signing ID tokens, as a private JWK. */
function signingKey() {
  const { privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
  return { ...privateKey.export({ format: 'jwk' }), kid: 'e2e-signing-key', use: 'sig', alg: 'RS256' };
}

async function firstPartyGrant(ctx) {
  const existing =
    ctx.oidc.result?.consent?.grantId || ctx.oidc.session.grantIdFor(ctx.oidc.client.clientId);
  if (existing) return ctx.oidc.provider.Grant.find(existing);
  const grant = new ctx.oidc.provider.Grant({
    clientId: ctx.oidc.client.clientId,
    accountId: ctx.oidc.session.accountId,
  });
  grant.addOIDCScope(SCOPES);
  await grant.save();
  return grant;
}

/**
 * GET  /interaction/<uid>        shows the sign-in form
 * POST /interaction/<uid>        checks email and password, then hands back to the library
 */
async function signInPage(provider, accounts, req, res) {
  const details = await provider.interactionDetails(req, res);
  if (details.prompt.name !== 'login') {
    // With the first-party grant above, login is the only prompt this client meets.
    res.statusCode = 501;
    res.end(`unexpected prompt ${details.prompt.name}`);
    return;
  }
  if (req.method === 'GET') {
    sendForm(res, details.uid, '');
    return;
  }
  const form = new URLSearchParams(await readBody(req));
  const email = (form.get('email') ?? '').trim().toLowerCase();
  const account = Object.values(accounts).find(
    (a) => a.email === email && a.password === form.get('password'),
  );
  if (!account) {
    sendForm(res, details.uid, 'Unknown email or wrong password.', 401);
    return;
  }
  await provider.interactionFinished(
    req,
    res,
    { login: { accountId: account.sub } },
    { mergeWithLastSubmission: false },
  );
}

function sendForm(res, uid, error, status = 200) {
  res.statusCode = status;
  res.setHeader('content-type', 'text/html; charset=utf-8');
  res.setHeader('cache-control', 'no-store');
  res.end(`<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"><title>Test identity provider</title></head>
<body><main>
<h1>Test identity provider</h1>
${error ? `<p role="alert">${error}</p>` : ''}
<form method="post" action="/interaction/${encodeURIComponent(uid)}">
  <label>Email <input type="email" name="email" autocomplete="username" required></label>
  <label>Password <input type="password" name="password" autocomplete="current-password" required></label>
  <button type="submit">Sign in</button>
</form>
</main></body></html>`);
}

function readBody(req) {
  return new Promise((resolve, reject) => {
    let body = '';
    req.setEncoding('utf8');
    req.on('data', (chunk) => {
      body += chunk;
      if (body.length > 10_000) reject(new Error('sign-in form too large'));
    });
    req.on('end', () => resolve(body));
    req.on('error', reject);
  });
}
