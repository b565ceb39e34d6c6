//! Word enums from one list (issue 21 item 4): `word_enum!` declares the
//! enum, `ALL` in declaration order, `as_str` and `FromStr` from the
//! `Variant = "word"` pairs, so a word is written once and the three can
//! never disagree. What a word means, and whether it is a contract other
//! people's CI jobs parse, is the declaring module's; this module owns only
//! the mechanics and does no I/O.

/// Declares a word enum:
///
/// ```ignore
/// word_enum! {
///     /// docs
///     #[derive(Clone, Copy, Debug, PartialEq, Eq)]
///     pub enum Level: "level" {
///         Error = "error",
///         Warning = "warning",
///     }
/// }
/// ```
///
/// gives `Level::ALL`, `Level::as_str` and `FromStr` (whose error reads
/// ``unknown level `x` ``). Attributes and doc comments on the enum and its
/// variants (`#[default]` too) are kept.
macro_rules! word_enum {
    (
        $(#[$meta:meta])*
        $vis:vis enum $name:ident: $what:literal {
            $( $(#[$vmeta:meta])* $var:ident = $word:literal ),+ $(,)?
        }
    ) => {
        $(#[$meta])*
        $vis enum $name {
            $( $(#[$vmeta])* $var ),+
        }

        impl $name {
            /// Every value, in declaration order (new words go last).
            $vis const ALL: [$name; [$(stringify!($var)),+].len()] = [$($name::$var),+];

            /// The value's word.
            $vis fn as_str(self) -> &'static str {
                match self {
                    $($name::$var => $word),+
                }
            }
        }

        impl std::str::FromStr for $name {
            type Err = String;
            fn from_str(s: &str) -> Result<Self, Self::Err> {
                match s {
                    $($word => Ok($name::$var),)+
                    _ => Err(format!(concat!("unknown ", $what, " `{}`"), s)),
                }
            }
        }
    };
}

pub(crate) use word_enum;

#[cfg(test)]
mod tests {
    word_enum! {
        #[derive(Clone, Copy, Debug, PartialEq, Eq, Default)]
        enum Sample: "sample word" {
            One = "one",
            #[default]
            Two = "two words",
        }
    }

    #[test]
    fn every_word_reads_back_and_unknown_words_are_named() {
        assert_eq!(Sample::ALL, [Sample::One, Sample::Two]);
        for w in Sample::ALL {
            assert_eq!(w.as_str().parse::<Sample>(), Ok(w));
        }
        assert_eq!(Sample::default().as_str(), "two words");
        assert_eq!(
            "three".parse::<Sample>(),
            Err("unknown sample word `three`".to_owned())
        );
    }
}
