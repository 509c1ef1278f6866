-- Signed audit checkpoints: the chain head (seq, hash) at a moment, signed with the evidence
-- signing key. The chain alone cannot show that its newest events were removed, or that the
-- whole log was rewritten by someone with database rights; a checkpoint signed by a key the
-- database never holds can. Written at every campaign sign-off and by `attest audit
-- checkpoint`; append-only like the audit log itself.
--
-- There is deliberately no foreign key to audit_event: a checkpoint must outlive the events
-- it names, so that their removal is detected rather than prevented by a cascade.
CREATE TABLE audit_checkpoint (
    id          BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    seq         BIGINT NOT NULL CHECK (seq > 0),
    hash        BYTEA NOT NULL CHECK (length(hash) = 32),
    signed_at   TIMESTAMPTZ NOT NULL,
    -- Why it was written: `campaign.signed_off`, or what the operator gave the command.
    reason      TEXT NOT NULL CHECK (btrim(reason) <> ''),
    -- The campaign whose sign-off it seals, if it was written by one.
    campaign_id UUID REFERENCES campaign(id),
    -- Ed25519 public key (base64) and signature (base64) over the checkpoint's text.
    public_key  TEXT NOT NULL,
    signature   TEXT NOT NULL
);
CREATE INDEX audit_checkpoint_seq ON audit_checkpoint (seq);
CREATE INDEX audit_checkpoint_campaign ON audit_checkpoint (campaign_id)
    WHERE campaign_id IS NOT NULL;

CREATE FUNCTION audit_checkpoint_reject_change() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION 'audit_checkpoint is append-only: % is not allowed', TG_OP
        USING ERRCODE = 'insufficient_privilege';
END;
$$;

CREATE TRIGGER audit_checkpoint_no_update_delete
    BEFORE UPDATE OR DELETE ON audit_checkpoint
    FOR EACH ROW EXECUTE FUNCTION audit_checkpoint_reject_change();

CREATE TRIGGER audit_checkpoint_no_truncate
    BEFORE TRUNCATE ON audit_checkpoint
    FOR EACH STATEMENT EXECUTE FUNCTION audit_checkpoint_reject_change();
