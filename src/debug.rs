//! `Debug` that names only chosen fields: secrets, handles and bulky state stay out of logs.

/// Implements `Debug` for a struct, showing only the named fields (the output ends in `..`).
macro_rules! debug_fields {
    ($type:ident { $($field:ident),+ $(,)? }) => {
        impl std::fmt::Debug for $type {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.debug_struct(stringify!($type))
                    $(.field(stringify!($field), &self.$field))+
                    .finish_non_exhaustive()
            }
        }
    };
}

pub(crate) use debug_fields;

#[cfg(test)]
mod tests {
    #[allow(dead_code)]
    struct Account {
        name: String,
        password: String,
    }

    debug_fields!(Account { name });

    #[test]
    fn only_the_named_fields_are_shown() {
        let account = Account {
            name: "lisa".into(),
            password: "hunter2".into(),
        };
        assert_eq!(format!("{account:?}"), r#"Account { name: "lisa", .. }"#);
    }
}
