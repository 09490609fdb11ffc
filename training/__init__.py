"""Training: courses and their sessions, events, the public agenda and its iCalendar feed,
registrations with a waiting list, attendance, certificates and feedback, and the course
accounts (a session's training project in Slurm, course logins for a class). The layer
above ``projects``: it reads projects and members, and fills their registries (the Slurm
plan's extra users, the centre report's training section, the demonstration centre)."""
