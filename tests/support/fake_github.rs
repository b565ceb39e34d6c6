//! A fake GitHub API (REST and GraphQL) for the repository audit tests (127.0.0.1 only).
