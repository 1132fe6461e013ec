"""The scaled-out topology on one machine, from Debian's own servers: PostgreSQL clusters and
a streaming replica, PgBouncer, nginx in front of several app instances, workers per queue.
The tests start the parts they need from here; ``python -m stack`` starts them all."""
