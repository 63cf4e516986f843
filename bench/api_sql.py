"""The SQL the engagements API sends, written by hand: the floor's statements (bench/peers_urls.py)
and the raw SQL of P1 (bench/api_pages.py). Placeholders are %s, as Django's cursor takes them."""

# The same statement as the product's token check reads (api.services.membership_for_token):
# the token with its user, workspace and membership, all their columns. The floor looks at
# three of them; it builds no objects from the rest.
FLOOR_AUTH = """
SELECT t.key_hash, m.role, m.workspace_id, m.*, u.*, w.*, t.id, t.last_used_at
FROM api_apitoken t
JOIN accounts_user u ON u.id = t.user_id
JOIN workspaces_workspace w ON w.id = t.workspace_id
JOIN workspaces_membership m ON m.user_id = t.user_id AND m.workspace_id = t.workspace_id
WHERE t.prefix = %s AND t.revoked_at IS NULL AND u.is_active = %s AND w.restoring = %s
"""

FLOOR_COLUMNS = """
SELECT e.id, e.freelancer_id, e.task_id, e.manager_id, e.kind, e.state, e.billing, e.rate, e.currency,
       e.budget_cap, e.start_date, e.end_date, e.expected_monthly_saving, e.expected_saving_currency,
       e.trial_hours_cap, e.trial_rating, e.completion_note, e.termination_reason, e.activated_at, e.ended_at,
       f.name, t.name, u.full_name, u.email
FROM engagements_engagement e
JOIN talent_freelancer f ON f.id = e.freelancer_id
JOIN tasks_task t ON t.id = e.task_id
LEFT JOIN workspaces_membership m ON m.id = e.manager_id
LEFT JOIN accounts_user u ON u.id = m.user_id
"""
FLOOR_PAGE = FLOOR_COLUMNS + "WHERE e.workspace_id = %s AND e.id > %s ORDER BY e.id LIMIT %s"
FLOOR_ONE = FLOOR_COLUMNS + "WHERE e.workspace_id = %s AND e.id = %s"
