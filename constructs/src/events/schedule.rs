//! [`Schedule`]: when a rule or a schedule runs, as a cron or rate expression that is
//! parsed and checked before anything reaches CloudFormation.

use std::fmt;
use std::time::Duration;

/// One field of a cron expression: a number (`.hour(2)`), or any text the field
/// allows (`"MON-FRI"`, `"0/15"`, `"L"`, `"3#2"`).
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct CronField(String);

impl CronField {
    /// The field's text.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl From<&str> for CronField {
    fn from(s: &str) -> Self {
        CronField(s.to_owned())
    }
}
impl From<String> for CronField {
    fn from(s: String) -> Self {
        CronField(s)
    }
}
impl From<u32> for CronField {
    fn from(n: u32) -> Self {
        CronField(n.to_string())
    }
}
impl From<i32> for CronField {
    fn from(n: i32) -> Self {
        CronField(n.to_string())
    }
}

macro_rules! cron_field_from {
    ($($t:ty),*) => {$(
        impl crate::props::IntoProp<Option<CronField>> for $t {
            fn into_prop(self) -> Option<CronField> {
                Some(CronField::from(self))
            }
        }
    )*};
}
cron_field_from!(&str, String, u32, i32);

props! {
    /// The fields of a cron schedule ([`Schedule::cron`], CDK's `CronOptions`). A field
    /// left out means "every" (`*`), except that the day of the month becomes `?` when
    /// a day of the week is given, and the day of the week is `?` otherwise, as
    /// EventBridge requires. Each field is checked when the schedule is used: ranges,
    /// names (`JAN`-`DEC`, `SUN`-`SAT`), `,` `-` `*` `/`, and `L`, `W`, `#` where AWS
    /// allows them.
    ///
    /// ```
    /// use berth_constructs::events::{CronOptions, Schedule};
    /// let nightly = Schedule::cron(CronOptions::default().minute(0).hour(2));
    /// assert_eq!(nightly.expression_string().unwrap(), "cron(0 2 * * ? *)");
    /// let weekdays = Schedule::cron(CronOptions::default().minute(30).hour(6).week_day("MON-FRI"));
    /// assert_eq!(weekdays.expression_string().unwrap(), "cron(30 6 ? * MON-FRI *)");
    /// ```
    #[derive(Clone, Debug, Default, PartialEq, Eq, Hash)]
    pub struct CronOptions {
        /// The minute, 0 to 59. Default: every minute (`*`; synth warns, as CDK does:
        /// pass `0` to run once an hour).
        pub minute: Option<CronField>,
        /// The hour, 0 to 23 (in the schedule's time zone; UTC for rules). Default:
        /// every hour.
        pub hour: Option<CronField>,
        /// The day of the month, 1 to 31, `L` (the last), `15W` (the weekday nearest
        /// the 15th). Not with `week_day`. Default: every day (`*`), or `?` with
        /// `week_day`.
        pub day: Option<CronField>,
        /// The month, 1 to 12 or `JAN` to `DEC`. Default: every month.
        pub month: Option<CronField>,
        /// The day of the week, 1 to 7 or `SUN` to `SAT`, `6L` (the last Friday),
        /// `3#2` (the second Tuesday). Not with `day`. Default: `?` (any).
        pub week_day: Option<CronField>,
        /// The year, 1970 to 2199. Default: every year.
        pub year: Option<CronField>,
    }
}

/// When a rule or schedule runs (CDK's `events.Schedule`): a cron expression from its
/// fields, a rate from a [`Duration`], or an expression as written. Whichever way it is
/// made, the expression is parsed and checked when a construct uses it, and a bad one
/// is an error naming the construct's path and the field:
///
/// ```
/// use berth_constructs::events::Schedule;
/// use std::time::Duration;
///
/// assert_eq!(Schedule::rate(Duration::from_secs(3600)).expression_string().unwrap(), "rate(1 hour)");
/// assert_eq!(Schedule::rate(Duration::from_secs(600)).expression_string().unwrap(), "rate(10 minutes)");
/// let five_fields = Schedule::expression("cron(0 2 * * *)").expression_string().unwrap_err();
/// assert_eq!(five_fields.to_string(), "invalid schedule \"cron(0 2 * * *)\": a cron expression has six fields (minutes hours day-of-month month day-of-week year), got 5; e.g. cron(0 2 * * ? *) for 02:00 every day");
/// let hour_25 = Schedule::expression("cron(0 25 * * ? *)").expression_string().unwrap_err();
/// assert_eq!(hour_25.to_string(), "invalid schedule \"cron(0 25 * * ? *)\": hours field \"25\": 25 is out of range 0-23");
/// ```
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub enum Schedule {
    /// A cron expression from its fields.
    Cron(CronOptions),
    /// Every so often: a whole number of minutes, hours or days.
    Rate(Duration),
    /// An expression as written: `cron(...)`, `rate(...)`, or (EventBridge Scheduler
    /// only) `at(yyyy-mm-ddThh:mm:ss)`.
    Expression(String),
}

/// An expression as written, e.g. `"cron(0 3 * * ? *)"` (checked when used).
impl From<&str> for Schedule {
    fn from(s: &str) -> Self {
        Schedule::expression(s)
    }
}
impl From<String> for Schedule {
    fn from(s: String) -> Self {
        Schedule::Expression(s)
    }
}
impl From<CronOptions> for Schedule {
    fn from(c: CronOptions) -> Self {
        Schedule::Cron(c)
    }
}
impl From<Duration> for Schedule {
    fn from(d: Duration) -> Self {
        Schedule::Rate(d)
    }
}

/// A schedule expression that EventBridge would reject: what was given and which part
/// is wrong.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct InvalidSchedule {
    /// The expression (as far as it could be rendered).
    pub expression: String,
    /// What is wrong, naming the field.
    pub message: String,
}

impl fmt::Display for InvalidSchedule {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "invalid schedule \"{}\": {}",
            self.expression, self.message
        )
    }
}

impl std::error::Error for InvalidSchedule {}

impl Schedule {
    /// A cron schedule from its fields (see [`CronOptions`]).
    pub fn cron(options: CronOptions) -> Schedule {
        Schedule::Cron(options)
    }

    /// Every `interval`, rendered in the largest unit that divides it: days, then
    /// hours, then minutes (`rate(1 day)`, `rate(90 minutes)`). It must be a whole
    /// number of minutes, at least one.
    pub fn rate(interval: Duration) -> Schedule {
        Schedule::Rate(interval)
    }

    /// An expression as written (`cron(0 3 * * ? *)`, `rate(5 minutes)`; for
    /// EventBridge Scheduler also `at(2027-01-01T09:00:00)`), checked when used.
    pub fn expression(expression: impl Into<String>) -> Schedule {
        Schedule::Expression(expression.into())
    }

    /// The expression EventBridge gets, checked (a one-time `at(...)` is rejected:
    /// rules do not take it; [`Schedule::scheduler_expression_string`] does).
    pub fn expression_string(&self) -> Result<String, InvalidSchedule> {
        self.render(false)
    }

    /// The expression EventBridge Scheduler gets, checked: as
    /// [`Schedule::expression_string`], and `at(...)` is allowed.
    pub fn scheduler_expression_string(&self) -> Result<String, InvalidSchedule> {
        self.render(true)
    }

    /// Whether this is a rate (EventBridge Scheduler takes no time zone for one).
    pub fn is_rate(&self) -> bool {
        match self {
            Schedule::Rate(_) => true,
            Schedule::Cron(_) => false,
            Schedule::Expression(e) => e.trim_start().starts_with("rate("),
        }
    }

    /// What is legal but probably not meant: a cron schedule built from fields
    /// without a minute runs every minute (CDK warns the same).
    pub fn warnings(&self) -> Vec<String> {
        match self {
            Schedule::Cron(c) if c.minute.is_none() => vec![
                "the cron schedule gives no minute, so it runs every minute of the hours it matches; set minute(0) to run once an hour, or minute(\"*\") if every minute is meant".into(),
            ],
            _ => Vec::new(),
        }
    }

    fn render(&self, scheduler: bool) -> Result<String, InvalidSchedule> {
        match self {
            Schedule::Cron(c) => {
                let text = cron_text(c);
                if c.day.is_some() && c.week_day.is_some() {
                    return Err(InvalidSchedule {
                        expression: text,
                        message: "give day or week_day, not both: EventBridge needs `?` in one of day-of-month and day-of-week".into(),
                    });
                }
                check_expression(&text, scheduler)?;
                Ok(text)
            }
            Schedule::Rate(d) => rate_text(*d),
            Schedule::Expression(e) => {
                check_expression(e, scheduler)?;
                Ok(e.clone())
            }
        }
    }
}

fn cron_text(c: &CronOptions) -> String {
    let f = |v: &Option<CronField>, d: &str| v.as_ref().map_or(d, |v| v.as_str()).to_owned();
    let day = f(&c.day, if c.week_day.is_some() { "?" } else { "*" });
    format!(
        "cron({} {} {} {} {} {})",
        f(&c.minute, "*"),
        f(&c.hour, "*"),
        day,
        f(&c.month, "*"),
        f(&c.week_day, "?"),
        f(&c.year, "*")
    )
}

fn rate_text(d: Duration) -> Result<String, InvalidSchedule> {
    let secs = d.as_secs();
    let bad = |message: String| InvalidSchedule {
        expression: format!("Schedule::rate({d:?})"),
        message,
    };
    if d.subsec_nanos() != 0 || secs % 60 != 0 {
        return Err(bad(format!(
            "a rate is a whole number of minutes; {d:?} is not"
        )));
    }
    if secs == 0 {
        return Err(bad("a rate must be at least one minute".into()));
    }
    let (n, unit) = if secs % 86_400 == 0 {
        (secs / 86_400, "day")
    } else if secs % 3600 == 0 {
        (secs / 3600, "hour")
    } else {
        (secs / 60, "minute")
    };
    Ok(if n == 1 {
        format!("rate(1 {unit})")
    } else {
        format!("rate({n} {unit}s)")
    })
}

/// Checks a schedule expression as EventBridge (and, with `scheduler`, EventBridge
/// Scheduler) accepts it.
fn check_expression(e: &str, scheduler: bool) -> Result<(), InvalidSchedule> {
    let bad = |message: String| InvalidSchedule {
        expression: e.to_owned(),
        message,
    };
    let inner = |prefix: &str| {
        e.strip_prefix(prefix)
            .and_then(|rest| rest.strip_suffix(')'))
    };
    if let Some(body) = inner("cron(") {
        return check_cron(body).map_err(bad);
    }
    if let Some(body) = inner("rate(") {
        return check_rate(body).map_err(bad);
    }
    if let Some(body) = inner("at(") {
        if !scheduler {
            return Err(bad("a one-time at(...) schedule needs EventBridge Scheduler (scheduler::Schedule); an EventBridge rule takes cron(...) or rate(...)".into()));
        }
        return check_at(body).map_err(bad);
    }
    Err(bad(format!(
        "use cron(...) or rate(...){}, e.g. cron(0 3 * * ? *) or rate(1 day)",
        if scheduler { " or at(...)" } else { "" }
    )))
}

fn check_rate(body: &str) -> Result<(), String> {
    let parts: Vec<&str> = body.split_whitespace().collect();
    let [value, unit] = parts[..] else {
        return Err(format!(
            "a rate is rate(VALUE UNIT), e.g. rate(5 minutes); got \"{body}\""
        ));
    };
    let n: u64 = match value.parse() {
        Ok(n) if n > 0 && value.chars().all(|c| c.is_ascii_digit()) => n,
        _ => {
            return Err(format!(
                "the rate's value \"{value}\" is not a whole number of at least 1"
            ))
        }
    };
    let singular = matches!(unit, "minute" | "hour" | "day");
    let plural = matches!(unit, "minutes" | "hours" | "days");
    if !singular && !plural {
        return Err(format!(
            "the rate's unit \"{unit}\" is not one of minute, minutes, hour, hours, day, days"
        ));
    }
    if n == 1 && plural {
        return Err(format!(
            "a rate of 1 takes the singular unit: rate(1 {})",
            unit.trim_end_matches('s')
        ));
    }
    if n > 1 && singular {
        return Err(format!(
            "a rate above 1 takes the plural unit: rate({n} {unit}s)"
        ));
    }
    Ok(())
}

/// Whether `s` starts with the shape `yyyy-mm-ddThh:mm:ss` (digits and separators).
pub(crate) fn starts_with_date_time(s: &str) -> bool {
    let b = s.as_bytes();
    let digits =
        |r: std::ops::Range<usize>| b.get(r).is_some_and(|s| s.iter().all(u8::is_ascii_digit));
    b.len() >= 19
        && digits(0..4)
        && b[4] == b'-'
        && digits(5..7)
        && b[7] == b'-'
        && digits(8..10)
        && b[10] == b'T'
        && digits(11..13)
        && b[13] == b':'
        && digits(14..16)
        && b[16] == b':'
        && digits(17..19)
}

fn check_at(body: &str) -> Result<(), String> {
    if body.len() != 19 || !starts_with_date_time(body) {
        return Err(format!(
            "a one-time schedule is at(yyyy-mm-ddThh:mm:ss), e.g. at(2027-01-01T09:00:00); got \"{body}\""
        ));
    }
    let num = |r: std::ops::Range<usize>| body[r].parse::<u32>().unwrap_or(0);
    let checks = [
        ("month", num(5..7), 1, 12),
        ("day", num(8..10), 1, 31),
        ("hour", num(11..13), 0, 23),
        ("minute", num(14..16), 0, 59),
        ("second", num(17..19), 0, 59),
    ];
    for (what, v, lo, hi) in checks {
        if !(lo..=hi).contains(&v) {
            return Err(format!("the {what} {v} is out of range {lo}-{hi}"));
        }
    }
    Ok(())
}

/// What each cron field allows.
struct FieldSpec {
    name: &'static str,
    min: u32,
    max: u32,
    names: &'static [&'static str],
    /// The wildcards beyond `, - * /` (`?`, `L`, `W`, `#`).
    question: bool,
    last: bool,
    weekday: bool,
    nth: bool,
    step: bool,
}

const MONTHS: &[&str] = &[
    "JAN", "FEB", "MAR", "APR", "MAY", "JUN", "JUL", "AUG", "SEP", "OCT", "NOV", "DEC",
];
const DAYS: &[&str] = &["SUN", "MON", "TUE", "WED", "THU", "FRI", "SAT"];

const FIELDS: [FieldSpec; 6] = [
    FieldSpec {
        name: "minutes",
        min: 0,
        max: 59,
        names: &[],
        question: false,
        last: false,
        weekday: false,
        nth: false,
        step: true,
    },
    FieldSpec {
        name: "hours",
        min: 0,
        max: 23,
        names: &[],
        question: false,
        last: false,
        weekday: false,
        nth: false,
        step: true,
    },
    FieldSpec {
        name: "day-of-month",
        min: 1,
        max: 31,
        names: &[],
        question: true,
        last: true,
        weekday: true,
        nth: false,
        step: true,
    },
    FieldSpec {
        name: "month",
        min: 1,
        max: 12,
        names: MONTHS,
        question: false,
        last: false,
        weekday: false,
        nth: false,
        step: true,
    },
    FieldSpec {
        name: "day-of-week",
        min: 1,
        max: 7,
        names: DAYS,
        question: true,
        last: true,
        weekday: false,
        nth: true,
        step: false,
    },
    FieldSpec {
        name: "year",
        min: 1970,
        max: 2199,
        names: &[],
        question: false,
        last: false,
        weekday: false,
        nth: false,
        step: true,
    },
];

fn check_cron(body: &str) -> Result<(), String> {
    let fields: Vec<&str> = body.split_whitespace().collect();
    if fields.len() != 6 {
        return Err(format!(
            "a cron expression has six fields (minutes hours day-of-month month day-of-week year), got {}; e.g. cron(0 2 * * ? *) for 02:00 every day",
            fields.len()
        ));
    }
    for (spec, field) in FIELDS.iter().zip(&fields) {
        check_field(spec, field).map_err(|m| format!("{} field \"{field}\": {m}", spec.name))?;
    }
    let (dom, dow) = (fields[2], fields[4]);
    match (dom == "?", dow == "?") {
        (true, true) => Err("day-of-month and day-of-week are both `?`: give one of them (`*` for every day) and keep `?` in the other".into()),
        (false, false) => Err(format!(
            "day-of-month \"{dom}\" and day-of-week \"{dow}\" cannot both be set: use `?` in one of them, e.g. cron(0 2 * * ? *) or cron(0 2 ? * MON *)"
        )),
        _ => Ok(()),
    }
}

fn check_field(spec: &FieldSpec, field: &str) -> Result<(), String> {
    if field == "?" {
        return if spec.question {
            Ok(())
        } else {
            Err("`?` is only allowed in day-of-month and day-of-week".into())
        };
    }
    let items: Vec<&str> = field.split(',').collect();
    if items.iter().any(|i| i.contains('#')) && items.len() > 1 {
        return Err("a `#` expression must be the field's only expression".into());
    }
    for item in items {
        check_item(spec, item)?;
    }
    Ok(())
}

fn check_item(spec: &FieldSpec, item: &str) -> Result<(), String> {
    if item.is_empty() {
        return Err("an empty value (a stray `,`)".into());
    }
    if item == "?" {
        return Err("`?` must stand alone in its field".into());
    }
    let up = item.to_ascii_uppercase();
    if spec.last {
        if up == "L" || (spec.weekday && up == "LW") {
            return Ok(());
        }
        // `6L` / `FRIL`: the last such day of the week in the month.
        if spec.nth {
            if let Some(day) = up.strip_suffix('L') {
                return value(spec, day).map(|_| ());
            }
        }
    }
    if spec.weekday {
        if let Some(day) = up.strip_suffix('W') {
            return value(spec, day).map(|_| ());
        }
    }
    if spec.nth {
        if let Some((day, n)) = up.split_once('#') {
            value(spec, day)?;
            return match n.parse::<u32>() {
                Ok(k) if (1..=5).contains(&k) => Ok(()),
                _ => Err(format!(
                    "\"#{n}\": the week of the month after `#` is 1 to 5"
                )),
            };
        }
    }
    // Names (`JUL`, `WED`) hold the letters of the wildcards: look past them.
    let bare = spec.names.iter().fold(up.clone(), |s, n| s.replace(n, "0"));
    for c in ['L', 'W', '#'] {
        if bare.contains(c) {
            let (here, allowed, forms) = match c {
                'L' if spec.weekday => (true, "", "`L` (the last day) or `LW` (the last weekday)"),
                'L' => (
                    spec.last,
                    "day-of-month and day-of-week",
                    "`L` (the last day) or a day before it, e.g. `6L` (the last Friday)",
                ),
                'W' => (
                    spec.weekday,
                    "day-of-month",
                    "a day before it, e.g. `15W` (the weekday nearest the 15th)",
                ),
                _ => (
                    spec.nth,
                    "day-of-week",
                    "`<day>#<week>`, e.g. `3#2` (the second Tuesday)",
                ),
            };
            return Err(if here {
                format!("`{c}` is written {forms}")
            } else {
                format!("`{c}` is only allowed in {allowed}")
            });
        }
    }
    let (range, step) = match up.split_once('/') {
        Some(_) if !spec.step => return Err("`/` is not allowed in day-of-week".into()),
        Some((r, s)) => (r, Some(s)),
        None => (up.as_str(), None),
    };
    if let Some(s) = step {
        match s.parse::<u32>() {
            Ok(n) if n >= 1 && n <= spec.max => {}
            _ => {
                return Err(format!(
                    "the increment after `/` must be a number from 1 to {}, got \"{s}\"",
                    spec.max
                ))
            }
        }
    }
    if range == "*" {
        return Ok(());
    }
    match range.split_once('-') {
        Some((a, b)) => {
            value(spec, a)?;
            value(spec, b)?;
        }
        None => {
            value(spec, range)?;
        }
    }
    Ok(())
}

/// A single value of a field: a number in range or a name.
fn value(spec: &FieldSpec, v: &str) -> Result<u32, String> {
    if let Some(i) = spec.names.iter().position(|n| *n == v) {
        return Ok(spec.min + i as u32);
    }
    if v.is_empty() {
        return Err("a range or increment is missing a value".into());
    }
    match v.parse::<u32>() {
        Ok(n) if v.chars().all(|c| c.is_ascii_digit()) => {
            if (spec.min..=spec.max).contains(&n) {
                Ok(n)
            } else {
                Err(format!(
                    "{n} is out of range {}-{}{}",
                    spec.min,
                    spec.max,
                    names_hint(spec)
                ))
            }
        }
        _ => Err(format!(
            "\"{v}\" is not a number{}",
            if spec.names.is_empty() {
                String::new()
            } else {
                format!(" or one of {}", spec.names.join(", "))
            }
        )),
    }
}

fn names_hint(spec: &FieldSpec) -> String {
    match (spec.names.first(), spec.names.last()) {
        (Some(a), Some(b)) => format!(" (or {a}-{b})"),
        _ => String::new(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn check(e: &str) -> Result<(), String> {
        Schedule::expression(e)
            .expression_string()
            .map(|_| ())
            .map_err(|e| e.message)
    }

    #[test]
    fn valid_expressions_pass() {
        for e in [
            "cron(0 2 * * ? *)",
            "cron(15 12 * * ? *)",
            "cron(0 18 ? * MON-FRI *)",
            "cron(0 8 1 * ? *)",
            "cron(0/15 * * * ? *)",
            "cron(0/10 * ? * MON-FRI *)",
            "cron(0/5 8-17 ? * MON-FRI *)",
            "cron(0 9 ? * 2#1 *)",
            "cron(0 9 L * ? *)",
            "cron(0 9 LW * ? *)",
            "cron(0 9 15W * ? *)",
            "cron(0 9 ? * 6L *)",
            "cron(0 9 ? * L *)",
            "cron(0 0 1 JAN,jul ? 2027-2030)",
            "cron(*/5 * * * ? *)",
            "cron(0 12 ? * SUN,SAT *)",
            "rate(1 minute)",
            "rate(5 minutes)",
            "rate(1 hour)",
            "rate(12 hours)",
            "rate(1 day)",
            "rate(7 days)",
        ] {
            assert_eq!(check(e), Ok(()), "{e}");
        }
    }

    #[test]
    fn invalid_expressions_name_the_field() {
        let cases = [
            ("cron(0 2 * * *)", "a cron expression has six fields (minutes hours day-of-month month day-of-week year), got 5; e.g. cron(0 2 * * ? *) for 02:00 every day"),
            ("cron(0 25 * * ? *)", "hours field \"25\": 25 is out of range 0-23"),
            ("cron(60 2 * * ? *)", "minutes field \"60\": 60 is out of range 0-59"),
            ("cron(0 2 32 * ? *)", "day-of-month field \"32\": 32 is out of range 1-31"),
            ("cron(0 2 * 13 ? *)", "month field \"13\": 13 is out of range 1-12 (or JAN-DEC)"),
            ("cron(0 2 * FOO ? *)", "month field \"FOO\": \"FOO\" is not a number or one of JAN, FEB, MAR, APR, MAY, JUN, JUL, AUG, SEP, OCT, NOV, DEC"),
            ("cron(0 2 ? * 8 *)", "day-of-week field \"8\": 8 is out of range 1-7 (or SUN-SAT)"),
            ("cron(0 2 * * ? 1969)", "year field \"1969\": 1969 is out of range 1970-2199"),
            ("cron(0 2 * * * *)", "day-of-month \"*\" and day-of-week \"*\" cannot both be set: use `?` in one of them, e.g. cron(0 2 * * ? *) or cron(0 2 ? * MON *)"),
            ("cron(0 2 ? * ? *)", "day-of-month and day-of-week are both `?`: give one of them (`*` for every day) and keep `?` in the other"),
            ("cron(? 2 * * ? *)", "minutes field \"?\": `?` is only allowed in day-of-month and day-of-week"),
            ("cron(0 L * * ? *)", "hours field \"L\": `L` is only allowed in day-of-month and day-of-week"),
            ("cron(0 2 ? * 3W *)", "day-of-week field \"3W\": `W` is only allowed in day-of-month"),
            ("cron(0 2 1#2 * ? *)", "day-of-month field \"1#2\": `#` is only allowed in day-of-week"),
            ("cron(0 2 ? * 3#6 *)", "day-of-week field \"3#6\": \"#6\": the week of the month after `#` is 1 to 5"),
            ("cron(0 2 ? * 3#1,6#3 *)", "day-of-week field \"3#1,6#3\": a `#` expression must be the field's only expression"),
            ("cron(0/0 2 * * ? *)", "minutes field \"0/0\": the increment after `/` must be a number from 1 to 59, got \"0\""),
            ("cron(0 2 ? * MON/2 *)", "day-of-week field \"MON/2\": `/` is not allowed in day-of-week"),
            ("cron(0,,5 2 * * ? *)", "minutes field \"0,,5\": an empty value (a stray `,`)"),
            ("rate(1 minutes)", "a rate of 1 takes the singular unit: rate(1 minute)"),
            ("rate(5 minute)", "a rate above 1 takes the plural unit: rate(5 minutes)"),
            ("rate(0 minutes)", "the rate's value \"0\" is not a whole number of at least 1"),
            ("rate(5 seconds)", "the rate's unit \"seconds\" is not one of minute, minutes, hour, hours, day, days"),
            ("rate(5)", "a rate is rate(VALUE UNIT), e.g. rate(5 minutes); got \"5\""),
            ("every day", "use cron(...) or rate(...), e.g. cron(0 3 * * ? *) or rate(1 day)"),
            ("at(2027-01-01T09:00:00)", "a one-time at(...) schedule needs EventBridge Scheduler (scheduler::Schedule); an EventBridge rule takes cron(...) or rate(...)"),
        ];
        for (e, want) in cases {
            assert_eq!(check(e), Err(want.to_string()), "{e}");
        }
    }

    #[test]
    fn at_is_for_the_scheduler_only() {
        let s = Schedule::expression("at(2027-01-01T09:00:00)");
        assert_eq!(
            s.scheduler_expression_string().unwrap(),
            "at(2027-01-01T09:00:00)"
        );
        let bad = Schedule::expression("at(2027-13-01T09:00:00)");
        assert_eq!(
            bad.scheduler_expression_string().unwrap_err().message,
            "the month 13 is out of range 1-12"
        );
        let bad = Schedule::expression("at(2027-01-01 09:00)");
        assert!(bad
            .scheduler_expression_string()
            .unwrap_err()
            .message
            .starts_with("a one-time schedule is at(yyyy-mm-ddThh:mm:ss)"));
    }

    #[test]
    fn typed_cron_renders_like_cdk() {
        let c = |o: CronOptions| Schedule::cron(o).expression_string();
        assert_eq!(
            c(CronOptions::default().minute(0).hour(2)).unwrap(),
            "cron(0 2 * * ? *)"
        );
        assert_eq!(
            c(CronOptions::default().minute("0/15")).unwrap(),
            "cron(0/15 * * * ? *)"
        );
        assert_eq!(
            c(CronOptions::default().minute(0).hour(9).week_day("MON")).unwrap(),
            "cron(0 9 ? * MON *)"
        );
        assert_eq!(
            c(CronOptions::default().minute(0).hour(9).day(1).month("JAN")).unwrap(),
            "cron(0 9 1 JAN ? *)"
        );
        let both = c(CronOptions::default().minute(0).day(1).week_day("MON")).unwrap_err();
        assert_eq!(both.to_string(), "invalid schedule \"cron(0 * 1 * MON *)\": give day or week_day, not both: EventBridge needs `?` in one of day-of-month and day-of-week");
        let bad = c(CronOptions::default().minute(0).hour(24)).unwrap_err();
        assert_eq!(bad.message, "hours field \"24\": 24 is out of range 0-23");
        assert_eq!(
            Schedule::cron(CronOptions::default().hour(2))
                .warnings()
                .len(),
            1
        );
        assert!(Schedule::cron(CronOptions::default().minute(0))
            .warnings()
            .is_empty());
    }

    #[test]
    fn rates_pick_the_largest_unit() {
        let r = |s: u64| Schedule::rate(Duration::from_secs(s)).expression_string();
        assert_eq!(r(60).unwrap(), "rate(1 minute)");
        assert_eq!(r(90 * 60).unwrap(), "rate(90 minutes)");
        assert_eq!(r(7200).unwrap(), "rate(2 hours)");
        assert_eq!(r(86_400).unwrap(), "rate(1 day)");
        assert_eq!(r(3 * 86_400).unwrap(), "rate(3 days)");
        assert_eq!(r(36 * 3600).unwrap(), "rate(36 hours)");
        assert_eq!(
            r(0).unwrap_err().message,
            "a rate must be at least one minute"
        );
        assert_eq!(
            r(90).unwrap_err().message,
            "a rate is a whole number of minutes; 90s is not"
        );
        assert!(Schedule::rate(Duration::from_secs(60)).is_rate());
        assert!(Schedule::expression("rate(1 day)").is_rate());
    }
}
