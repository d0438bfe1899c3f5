"""Assessment: P(meet), status and reasons for every target as of a year (`assess`), judged per kind (`kinds`) on
shared rules (`rules`), beside the official cross-checks (`crosschecks`), worded in both languages (`wording`), in
the status vocabulary (`status`), and scored against outcomes (`retrospective`)."""
