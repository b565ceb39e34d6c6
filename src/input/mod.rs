//! Inputs: files, directories (walked recursively by extension), glob
//! patterns, `-` for stdin and http(s) URLs; each opened as a stream with its
//! format detected.
//!
//! Never extracts links itself and never reads a whole file into memory
//! when a stream will do.
