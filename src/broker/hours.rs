//! When "Start agent chat" is shown: the system's availability, a local schedule of business
//! hours in a named time zone, or always. The schedule's calendar is jiff's (time zones,
//! daylight saving, weekdays), never hand-made.
//!
//! A schedule is written `DAYS OPEN-CLOSE ZONE [except DATE,...]`, for example
//! `Mon-Fri 08:00-17:00 America/Los_Angeles except 2026-12-25,2027-01-01`: days are names or
//! three-letter abbreviations, ranges (`Mon-Fri`, `Fri-Mon` wraps) and lists (`Mon,Wed,Fri`);
//! times are `H:MM` on a 24-hour clock, `24:00` closing at midnight; the zone is an IANA name.

use jiff::Timestamp;
use jiff::civil::{Date, Weekday};
use jiff::tz::TimeZone;
use std::collections::BTreeSet;
use std::sync::Arc;

/// The most holidays a schedule lists; more is refused.
pub const MAX_HOLIDAYS: usize = 1000;

/// The longest schedule text read; longer is refused before parsing.
pub const MAX_SPEC_CHARS: usize = 16_384;

/// The days of the week, Monday first, as jiff numbers them (`to_monday_zero_offset`).
const DAYS: [(&str, &str); 7] = [
    ("mon", "Monday"),
    ("tue", "Tuesday"),
    ("wed", "Wednesday"),
    ("thu", "Thursday"),
    ("fri", "Friday"),
    ("sat", "Saturday"),
    ("sun", "Sunday"),
];

/// How the broker decides whether "Start agent chat" is shown.
#[derive(Debug, Clone, Default, PartialEq)]
pub enum ButtonMode {
    /// When the system says agents are available (the default).
    #[default]
    System,
    /// During the schedule's business hours, whatever the system says.
    Schedule(Arc<Schedule>),
    /// Always.
    Always,
}

impl std::str::FromStr for ButtonMode {
    type Err = HoursError;

    /// `system`, `always`, or a schedule.
    fn from_str(text: &str) -> Result<Self, HoursError> {
        match text.trim() {
            "system" => Ok(Self::System),
            "always" => Ok(Self::Always),
            _ => Ok(Self::Schedule(Arc::new(text.parse()?))),
        }
    }
}

/// A schedule text that cannot be read: the text, the part at fault and why.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{part:?} in {input:?}: {why}")]
pub struct HoursError {
    /// The whole text.
    pub input: String,
    /// The part at fault.
    pub part: String,
    /// Why it is wrong.
    pub why: String,
}

/// Business hours: open on some days between two times of a time zone, except on holidays.
#[derive(Debug, Clone, PartialEq)]
pub struct Schedule {
    /// Open on these days, Monday first.
    days: [bool; 7],
    /// Opening time, in minutes after midnight.
    open: u16,
    /// Closing time, in minutes after midnight (up to 24:00).
    close: u16,
    zone: TimeZone,
    zone_name: String,
    holidays: BTreeSet<Date>,
}

impl std::str::FromStr for Schedule {
    type Err = HoursError;

    fn from_str(input: &str) -> Result<Self, HoursError> {
        let fail = |part: &str, why: &str| HoursError {
            input: input.chars().take(200).collect(),
            part: part.chars().take(100).collect(),
            why: why.to_owned(),
        };
        if input.chars().count() > MAX_SPEC_CHARS {
            return Err(fail("", "is too long"));
        }
        let words: Vec<&str> = input.split_whitespace().collect();
        let (head, holidays) = match words.iter().position(|w| w.eq_ignore_ascii_case("except")) {
            Some(i) => (&words[..i], Some(words[i + 1..].join(""))),
            None => (&words[..], None),
        };
        let [days, hours, zone] = head else {
            return Err(fail(
                input,
                "expected DAYS OPEN-CLOSE ZONE, e.g. \"Mon-Fri 08:00-17:00 America/Los_Angeles\"",
            ));
        };
        let days = parse_days(days).map_err(|(part, why)| fail(part, why))?;
        let (open, close) = parse_hours(hours).map_err(|(part, why)| fail(part, why))?;
        let tz = TimeZone::get(zone).map_err(|_| fail(zone, "is not a known IANA time zone"))?;
        let mut schedule = Self {
            days,
            open,
            close,
            zone: tz,
            zone_name: (*zone).to_owned(),
            holidays: BTreeSet::new(),
        };
        for date in holidays.iter().flat_map(|h| h.split(',')) {
            schedule.add_holiday(date).map_err(|why| fail(date, &why))?;
        }
        Ok(schedule)
    }
}

impl Schedule {
    /// Adds a holiday, `YYYY-MM-DD`; fails past [`MAX_HOLIDAYS`].
    pub fn add_holiday(&mut self, date: &str) -> Result<(), String> {
        let date: Date = date
            .trim()
            .parse()
            .map_err(|_| "is not a date (YYYY-MM-DD)".to_owned())?;
        if self.holidays.len() >= MAX_HOLIDAYS && !self.holidays.contains(&date) {
            return Err(format!("is one holiday too many (at most {MAX_HOLIDAYS})"));
        }
        self.holidays.insert(date);
        Ok(())
    }

    /// Whether agents are in at `at`.
    pub fn is_open(&self, at: Timestamp) -> bool {
        let local = at.to_zoned(self.zone.clone());
        let minutes =
            u16::from(local.hour().unsigned_abs()) * 60 + u16::from(local.minute().unsigned_abs());
        self.days[day_index(local.weekday())]
            && !self.holidays.contains(&local.date())
            && (self.open..self.close).contains(&minutes)
    }

    /// Why agents are not in at `at`, in the assistant's words: the hours, and the holiday
    /// when it is one.
    pub fn why_closed(&self, at: Timestamp) -> String {
        let hours = format!(
            "Live agents are available {}, {}\u{2013}{} {}.",
            self.day_names(),
            clock(self.open),
            clock(self.close),
            // The zone's own name, as the rule was written: unambiguous, and never "UTC time".
            self.zone_name
        );
        let today = at.to_zoned(self.zone.clone()).date();
        if self.holidays.contains(&today) {
            format!("Today ({today}) is a holiday. {hours}")
        } else {
            hours
        }
    }

    /// The open days as words: "Monday–Friday", "Monday, Wednesday and Friday".
    fn day_names(&self) -> String {
        let mut runs: Vec<(usize, usize)> = Vec::new();
        for day in (0..7).filter(|&d| self.days[d]) {
            match runs.last_mut() {
                Some((_, end)) if *end + 1 == day => *end = day,
                _ => runs.push((day, day)),
            }
        }
        let named: Vec<String> = runs
            .iter()
            .map(|&(start, end)| match end - start {
                0 => DAYS[start].1.to_owned(),
                1 => format!("{} and {}", DAYS[start].1, DAYS[end].1),
                _ => format!("{}\u{2013}{}", DAYS[start].1, DAYS[end].1),
            })
            .collect();
        match named.as_slice() {
            [] => "on no day".to_owned(),
            [one] if *one == "Monday\u{2013}Sunday" => "every day".to_owned(),
            [one] => one.clone(),
            [init @ .., last] => format!("{} and {last}", init.join(", ")),
        }
    }
}

/// The `[hours]` section of `handoff.toml`.
#[derive(Debug, Clone, Default, serde::Deserialize)]
#[serde(deny_unknown_fields)]
pub struct HoursFile {
    /// `system`, `schedule` or `always`; `schedule` when only `schedule` is set.
    pub mode: Option<String>,
    /// The business hours, e.g. `Mon-Fri 08:00-17:00 America/Los_Angeles`.
    pub schedule: Option<String>,
    /// Dates with no agents, `YYYY-MM-DD`, added to the schedule's.
    #[serde(default)]
    pub holidays: Vec<String>,
}

/// The button mode `[hours]` of `config` sets; `None` without the section. Errors name the file,
/// the key and the value.
pub fn from_config(
    config: &crate::systems::SystemsConfig,
) -> Result<Option<ButtonMode>, crate::config::ConfigError> {
    let file: HoursFile = config.section("hours")?;
    let mode = file
        .mode
        .as_deref()
        .or(file.schedule.as_ref().map(|_| "schedule"));
    let Some(mode) = mode else {
        return Ok(None);
    };
    match (mode, &file.schedule) {
        ("system", None) => Ok(Some(ButtonMode::System)),
        ("always", None) => Ok(Some(ButtonMode::Always)),
        ("system" | "always", Some(_)) => Err(config.invalid(
            "hours.schedule",
            format!("is only read with mode = \"schedule\" (mode is {mode:?})"),
        )),
        ("schedule", None) => {
            Err(config.invalid("hours.schedule", "is needed with mode = \"schedule\""))
        }
        ("schedule", Some(text)) => {
            let mut schedule: Schedule = text
                .parse()
                .map_err(|e: HoursError| config.invalid("hours.schedule", e.to_string()))?;
            for date in &file.holidays {
                schedule
                    .add_holiday(date)
                    .map_err(|why| config.invalid("hours.holidays", format!("{date:?} {why}")))?;
            }
            Ok(Some(ButtonMode::Schedule(Arc::new(schedule))))
        }
        (other, _) => Err(config.invalid(
            "hours.mode",
            format!("{other:?} is not one of \"system\", \"schedule\", \"always\""),
        )),
    }
}

/// Monday = 0.
fn day_index(day: Weekday) -> usize {
    usize::try_from(day.to_monday_zero_offset()).unwrap_or(0)
}

/// `Mon-Fri`, `Mon,Wed,Fri`, `Sat-Sun,Wed`, `Fri-Mon` (wraps).
fn parse_days(text: &str) -> Result<[bool; 7], (&str, &'static str)> {
    let mut days = [false; 7];
    for item in text.split(',') {
        let (from, to) = item.split_once('-').unwrap_or((item, item));
        let (from, to) = (
            day(from).ok_or((from, "is not a day"))?,
            day(to).ok_or((to, "is not a day"))?,
        );
        let mut d = from;
        loop {
            days[d] = true;
            if d == to {
                break;
            }
            d = (d + 1) % 7;
        }
    }
    Ok(days)
}

/// A day's number from its name or abbreviation, any case.
fn day(name: &str) -> Option<usize> {
    let name = name.trim().to_ascii_lowercase();
    DAYS.iter()
        .position(|(short, long)| name == *short || name == long.to_ascii_lowercase())
}

/// `08:00-17:00` as minutes after midnight; opening before closing.
fn parse_hours(text: &str) -> Result<(u16, u16), (&str, &'static str)> {
    let (open, close) = text
        .split_once('-')
        .ok_or((text, "expected OPEN-CLOSE, e.g. 08:00-17:00"))?;
    let (open, close) = (
        minutes(open).ok_or((open, "is not a time (H:MM)"))?,
        minutes(close).ok_or((close, "is not a time (H:MM)"))?,
    );
    if open >= close {
        return Err((text, "closes before it opens (hours cannot cross midnight)"));
    }
    Ok((open, close))
}

/// `H:MM` or `HH:MM` as minutes after midnight, `24:00` included.
fn minutes(text: &str) -> Option<u16> {
    let (h, m) = text.split_once(':')?;
    let digits = |s: &str| (1..=2).contains(&s.len()) && s.bytes().all(|b| b.is_ascii_digit());
    if !digits(h) || m.len() != 2 || !digits(m) {
        return None;
    }
    let (h, m): (u16, u16) = (h.parse().ok()?, m.parse().ok()?);
    let total = h * 60 + m;
    (m < 60 && total <= 24 * 60).then_some(total)
}

/// `8:00`, `17:30`.
fn clock(minutes: u16) -> String {
    format!("{}:{:02}", minutes / 60, minutes % 60)
}

#[cfg(test)]
#[path = "hours_tests.rs"]
mod tests;
