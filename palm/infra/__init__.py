"""Infrastructure: Redis, queues, embedded Redis, audit log, rate limits, keys."""
