-- Conversations no longer hold a billing window: costs are billed per
-- provider conversation or per category window (billing_windows, 0007).

ALTER TABLE conversations DROP COLUMN billed_until;
