//! A local web server for the link-checking tests (127.0.0.1 only).
