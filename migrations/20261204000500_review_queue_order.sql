-- A reviewer's queue in its default order (grouped by person, then principal) read straight
-- from an index: with tens of thousands of items, sorting every one to show the first page
-- took most of the queue's time. The expression matches `queue_order("person")`.
CREATE INDEX review_item_reviewer_queue_order ON review_item
    (reviewer_person_id, (coalesce(person_name, principal_name)), principal_name, id);
