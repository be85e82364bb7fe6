//! Business hours: the schedule text, the decision at a given instant, the words of a refusal.

use super::*;
use proptest::prelude::*;

const PACIFIC: &str = "Mon-Fri 08:00-17:00 America/Los_Angeles";

/// The instant of a Pacific wall-clock time.
fn pacific(local: &str) -> Timestamp {
    let civil: jiff::civil::DateTime = local.parse().unwrap();
    civil
        .to_zoned(TimeZone::get("America/Los_Angeles").unwrap())
        .unwrap()
        .timestamp()
}

fn schedule(text: &str) -> Schedule {
    text.parse().unwrap()
}

#[test]
fn a_weekday_schedule_is_open_inside_its_hours_in_its_own_zone() {
    let s = schedule(PACIFIC);
    // Thursday 3 December 2026.
    assert!(s.is_open(pacific("2026-12-03T08:00")));
    assert!(s.is_open(pacific("2026-12-03T16:59")));
    assert!(!s.is_open(pacific("2026-12-03T07:59")));
    assert!(
        !s.is_open(pacific("2026-12-03T17:00")),
        "closing time is out"
    );
    // Saturday.
    assert!(!s.is_open(pacific("2026-12-05T12:00")));
    // 17:30 UTC is 09:30 in Los Angeles in winter: open, whatever the machine's zone.
    assert!(s.is_open("2026-12-03T17:30:00Z".parse().unwrap()));
    // Summer time moves the hours with it: 15:30 UTC is 08:30 PDT.
    assert!(s.is_open("2026-07-01T15:30:00Z".parse().unwrap()));
    assert!(!s.is_open("2026-12-03T15:30:00Z".parse().unwrap()));
}

#[test]
fn holidays_close_the_whole_day() {
    let s = schedule("Mon-Fri 8:00-17:00 America/Los_Angeles except 2026-12-25, 2027-01-01");
    assert!(!s.is_open(pacific("2026-12-25T10:00")));
    assert!(!s.is_open(pacific("2027-01-01T10:00")));
    assert!(s.is_open(pacific("2026-12-24T10:00")));
    assert_eq!(
        s.why_closed(pacific("2026-12-25T10:00")),
        "Today (2026-12-25) is a holiday. Live agents are available Monday\u{2013}Friday, \
         8:00\u{2013}17:00 America/Los_Angeles."
    );
}

#[test]
fn the_refusal_names_the_days_hours_and_zone_in_plain_words() {
    let at = pacific("2026-12-05T12:00");
    assert_eq!(
        schedule(PACIFIC).why_closed(at),
        "Live agents are available Monday\u{2013}Friday, 8:00\u{2013}17:00 America/Los_Angeles."
    );
    assert_eq!(
        schedule("mon,wed,FRIDAY 9:30-12:00 Europe/Paris").why_closed(at),
        "Live agents are available Monday, Wednesday and Friday, 9:30\u{2013}12:00 Europe/Paris."
    );
    assert_eq!(
        schedule("Sat-Sun 00:00-24:00 UTC").why_closed(at),
        "Live agents are available Saturday and Sunday, 0:00\u{2013}24:00 UTC."
    );
    assert_eq!(
        schedule("Mon-Sun 00:00-24:00 Asia/Tokyo").why_closed(at),
        "Live agents are available every day, 0:00\u{2013}24:00 Asia/Tokyo."
    );
}

#[test]
fn a_day_range_may_wrap_over_the_weekend() {
    let s = schedule("Fri-Mon 10:00-11:00 UTC");
    for (date, open) in [
        ("2026-12-04", true),  // Friday
        ("2026-12-05", true),  // Saturday
        ("2026-12-07", true),  // Monday
        ("2026-12-08", false), // Tuesday
    ] {
        let at: Timestamp = format!("{date}T10:30:00Z").parse().unwrap();
        assert_eq!(s.is_open(at), open, "{date}");
    }
}

#[test]
fn mistakes_name_the_part_at_fault() {
    for (text, part, why) in [
        (
            "Mon-Fri 08:00-17:00 Mars/Olympus",
            "Mars/Olympus",
            "time zone",
        ),
        ("Mon-Fry 08:00-17:00 UTC", "Fry", "not a day"),
        (
            "Mon-Fri 17:00-08:00 UTC",
            "17:00-08:00",
            "closes before it opens",
        ),
        ("Mon-Fri 8-17 UTC", "8", "not a time"),
        ("Mon-Fri 08:00-25:00 UTC", "25:00", "not a time"),
        ("Mon-Fri 08:60-17:00 UTC", "08:60", "not a time"),
        (
            "Mon-Fri 08:00-17:00 UTC except 2026-02-30",
            "2026-02-30",
            "not a date",
        ),
        ("Mon-Fri 08:00-17:00 UTC except", "", "not a date"),
        (
            "Mon-Fri 08:00-17:00",
            "Mon-Fri 08:00-17:00",
            "expected DAYS",
        ),
        ("", "", "expected DAYS"),
    ] {
        let e = text.parse::<Schedule>().unwrap_err();
        assert_eq!(e.part, part, "{text}");
        assert!(e.why.contains(why), "{text}: {e}");
        assert!(e.to_string().contains(&format!("{text:?}")), "{e}");
    }
}

#[test]
fn the_modes_read_by_name_and_anything_else_is_a_schedule() {
    assert_eq!("system".parse::<ButtonMode>().unwrap(), ButtonMode::System);
    assert_eq!(
        " always ".parse::<ButtonMode>().unwrap(),
        ButtonMode::Always
    );
    assert!(matches!(
        PACIFIC.parse::<ButtonMode>().unwrap(),
        ButtonMode::Schedule(_)
    ));
    assert!("sometimes".parse::<ButtonMode>().is_err());
}

#[test]
fn holidays_stop_at_their_bound() {
    let mut s = schedule("Mon 08:00-09:00 UTC");
    let start: Date = "2026-01-01".parse().unwrap();
    for day in 0..MAX_HOLIDAYS {
        let date = start + jiff::Span::new().days(i64::try_from(day).unwrap());
        s.add_holiday(&date.to_string()).unwrap();
    }
    // The same date again is no new holiday; a new one is refused.
    s.add_holiday("2026-01-01").unwrap();
    let refused = s.add_holiday("2099-01-01").unwrap_err();
    assert!(refused.contains("too many"), "{refused}");
}

#[test]
fn a_text_over_the_length_bound_is_refused_before_it_is_read() {
    let long = format!(
        "{PACIFIC} except {}",
        "2026-12-25,".repeat(MAX_SPEC_CHARS / 11 + 1)
    );
    assert_eq!(long.parse::<Schedule>().unwrap_err().why, "is too long");
}

proptest! {
    #[test]
    fn any_unicode_is_read_or_refused_naming_the_input(text in "\\PC{0,80}") {
        match text.parse::<ButtonMode>() {
            Ok(_) => {}
            Err(e) => {
                let input: String = text.chars().take(200).collect();
                prop_assert_eq!(&e.input, &input);
                prop_assert!(!e.why.is_empty());
            }
        }
    }

    #[test]
    fn any_unicode_around_a_valid_schedule_never_panics(
        days in "\\PC{0,12}", hours in "\\PC{0,12}", zone in "\\PC{0,20}", dates in "\\PC{0,30}"
    ) {
        let _ = format!("{days} {hours} {zone} except {dates}").parse::<Schedule>();
        let _ = format!("Mon-Fri {hours} UTC").parse::<Schedule>();
        let _ = format!("{days} 08:00-17:00 {zone}").parse::<Schedule>();
    }
}

/// `[hours]` of a config file named `hours.toml`.
fn from_file(text: &str) -> Result<Option<ButtonMode>, String> {
    let config = crate::systems::SystemsConfig::from_toml("hours.toml", text).unwrap();
    from_config(&config).map_err(|e| e.to_string())
}

#[test]
fn the_config_section_reads_each_mode_and_names_file_key_and_value_when_wrong() {
    assert_eq!(from_file(""), Ok(None));
    assert_eq!(
        from_file("[hours]\nmode = \"always\""),
        Ok(Some(ButtonMode::Always))
    );
    let Ok(Some(ButtonMode::Schedule(s))) = from_file(&format!(
        "[hours]\nschedule = \"{PACIFIC}\"\nholidays = [\"2026-12-24\"]"
    )) else {
        panic!("a schedule")
    };
    assert!(!s.is_open(pacific("2026-12-24T10:00")));
    for (text, error) in [
        (
            "[hours]\nmode = \"sometimes\"",
            "hours.toml: hours.mode: \"sometimes\" is not one of",
        ),
        (
            "[hours]\nmode = \"schedule\"",
            "hours.toml: hours.schedule: is needed with mode = \"schedule\"",
        ),
        (
            "[hours]\nmode = \"always\"\nschedule = \"Mon 08:00-09:00 UTC\"",
            "hours.toml: hours.schedule: is only read with mode = \"schedule\"",
        ),
        (
            "[hours]\nschedule = \"Mon 08:00-09:00 Mars/Olympus\"",
            "hours.toml: hours.schedule: \"Mars/Olympus\" in \"Mon 08:00-09:00 Mars/Olympus\": is not a known IANA time zone",
        ),
        (
            "[hours]\nschedule = \"Mon 09:00-08:00 UTC\"",
            "hours.toml: hours.schedule: \"09:00-08:00\" in \"Mon 09:00-08:00 UTC\": closes before it opens",
        ),
        (
            "[hours]\nschedule = \"Mon 08:00-09:00 UTC\"\nholidays = [\"2026-13-01\"]",
            "hours.toml: hours.holidays: \"2026-13-01\" is not a date (YYYY-MM-DD)",
        ),
        (
            "[hours]\nzone = \"UTC\"",
            "hours.toml: [hours]: unknown field `zone`",
        ),
    ] {
        let e = from_file(text).unwrap_err();
        assert!(e.starts_with(error), "{text}: {e}");
    }
}
