//! The checksums and number rules that tell a real identifier from a number that looks like
//! one: Luhn (cards), ISO 13616 mod-97 (IBANs), the SSA's ranges (US SSNs), HMRC's prefixes (UK
//! National Insurance numbers), the eleven test (Dutch BSN) and the control letter (Spanish DNI
//! and NIE).

/// The decimal digits of `text`, anything else skipped.
pub(super) fn digits(text: &str) -> Vec<u8> {
    text.bytes()
        .filter(u8::is_ascii_digit)
        .map(|b| b - b'0')
        .collect()
}

/// Whether `digits` pass the Luhn check (every second digit from the right doubled).
pub(super) fn luhn(digits: &[u8]) -> bool {
    let sum: u32 = digits
        .iter()
        .rev()
        .enumerate()
        .map(|(i, &d)| {
            let d = u32::from(d);
            if i % 2 == 1 {
                if d * 2 > 9 { d * 2 - 9 } else { d * 2 }
            } else {
                d
            }
        })
        .sum();
    !digits.is_empty() && sum.is_multiple_of(10)
}

/// Whether `iban` (letters and digits only, any case) passes ISO 13616: two letters, two
/// check digits, 11 to 30 more, and the number made by moving the first four to the end and
/// spelling letters as 10..35 leaves 1 modulo 97.
pub(super) fn iban(iban: &[u8]) -> bool {
    let shaped = (15..=34).contains(&iban.len())
        && iban[..2].iter().all(u8::is_ascii_alphabetic)
        && iban[2..4].iter().all(u8::is_ascii_digit)
        && iban.iter().all(u8::is_ascii_alphanumeric);
    if !shaped {
        return false;
    }
    let mut rest: u32 = 0;
    for &b in iban[4..].iter().chain(&iban[..4]) {
        let value = match b {
            b'0'..=b'9' => u32::from(b - b'0'),
            _ => u32::from(b.to_ascii_uppercase() - b'A') + 10,
        };
        rest = if value < 10 {
            (rest * 10 + value) % 97
        } else {
            (rest * 100 + value) % 97
        };
    }
    rest == 1
}

/// Whether area, group and serial make an SSN the SSA could issue: the area is not 000, 666 or
/// 900-999, the group not 00, the serial not 0000.
pub(super) fn ssn(area: u32, group: u32, serial: u32) -> bool {
    area != 0 && area != 666 && area < 900 && group != 0 && serial != 0
}

/// Whether `nino` (nine letters and digits, upper case) is a UK National Insurance number:
/// two prefix letters HMRC issues, six digits, a suffix A to D.
pub(super) fn nino(nino: &[u8]) -> bool {
    let [a, b, rest @ .., suffix] = nino else {
        return false;
    };
    let prefix_ok = a.is_ascii_uppercase()
        && b.is_ascii_uppercase()
        && !b"DFIQUV".contains(a)
        && !b"DFIOQUV".contains(b)
        && ![*b"BG", *b"GB", *b"KN", *b"NK", *b"NT", *b"TN", *b"ZZ"].contains(&[*a, *b]);
    prefix_ok
        && rest.len() == 6
        && rest.iter().all(u8::is_ascii_digit)
        && (b'A'..=b'D').contains(suffix)
}

/// Whether nine digits pass the Dutch BSN eleven test (weights 9..2, the last digit -1).
pub(super) fn bsn(digits: &[u8]) -> bool {
    if digits.len() != 9 || digits.iter().all(|&d| d == 0) {
        return false;
    }
    let sum: i32 = digits
        .iter()
        .zip([9, 8, 7, 6, 5, 4, 3, 2, -1])
        .map(|(&d, w)| i32::from(d) * w)
        .sum();
    sum % 11 == 0
}

/// The control letter of a Spanish DNI number (an NIE's X, Y, Z read as 0, 1, 2).
pub(super) fn dni_letter(number: u32) -> u8 {
    b"TRWAGMYFPDXBNJZSQVHLCKE"[(number % 23) as usize]
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn luhn_accepts_test_cards_and_refuses_a_changed_digit() {
        assert!(luhn(&digits("4111 1111 1111 1111")));
        assert!(luhn(&digits("378282246310005")));
        assert!(!luhn(&digits("4111 1111 1111 1112")));
        assert!(!luhn(&[]));
    }

    #[test]
    fn iban_checks_the_mod_97_remainder() {
        assert!(iban(b"GB82WEST12345698765432"));
        assert!(iban(b"de89370400440532013000"));
        assert!(!iban(b"GB82WEST12345698765433"));
        assert!(!iban(b"GB82"));
    }

    #[test]
    fn ssn_refuses_the_ranges_never_issued() {
        assert!(ssn(123, 45, 6789));
        for (a, g, s) in [
            (0, 45, 6789),
            (666, 45, 6789),
            (900, 45, 6789),
            (123, 0, 6789),
            (123, 45, 0),
        ] {
            assert!(!ssn(a, g, s), "{a}-{g}-{s}");
        }
    }

    #[test]
    fn nino_refuses_prefixes_hmrc_never_issues() {
        assert!(nino(b"AB123456C"));
        for bad in [
            &b"GB123456C"[..],
            b"DA123456C",
            b"AO123456C",
            b"AB123456E",
            b"AB12345C",
        ] {
            assert!(!nino(bad), "{}", String::from_utf8_lossy(bad));
        }
    }

    #[test]
    fn bsn_and_dni_check_their_control_digits() {
        assert!(bsn(&digits("111222333")));
        assert!(!bsn(&digits("111222334")));
        assert!(!bsn(&digits("000000000")));
        assert_eq!(dni_letter(12_345_678), b'Z');
    }
}
