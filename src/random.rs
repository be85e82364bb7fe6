//! Random bytes from the operating system, for the broker's tokens and the store's keys.
//!
//! It sits below both `broker` and `store` so that neither imports the other for it.

use aws_lc_rs::rand;

/// The operating system's random generator refused.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
#[error("the operating system's random number generator failed")]
pub struct RandomError;

/// `N` bytes from the operating system's CSPRNG.
pub fn random_bytes<const N: usize>() -> Result<[u8; N], RandomError> {
    let mut bytes = [0u8; N];
    rand::fill(&mut bytes).map_err(|_| RandomError)?;
    Ok(bytes)
}

#[cfg(test)]
mod tests {
    use super::random_bytes;

    #[test]
    fn two_draws_of_32_bytes_differ() {
        let a = random_bytes::<32>().expect("the OS RNG works in tests");
        let b = random_bytes::<32>().expect("the OS RNG works in tests");
        assert_ne!(a, b, "256 random bits repeated");
    }

    #[test]
    fn zero_bytes_is_an_empty_array() {
        assert_eq!(random_bytes::<0>(), Ok([]));
    }
}
