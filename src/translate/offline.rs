//! The offline translator: a small phrase table of greetings and common support phrases in
//! English, Spanish, French and German. It replaces the phrases it knows (whole words, any
//! case, longest first) and leaves every other word as it is, so a demo reads plausibly and a
//! test knows exactly what to expect; it is no substitute for a real translation service.
//! Words are re-joined with single spaces.

use super::{Detected, TranslateError, Translator};
use async_trait::async_trait;

/// The languages of the table, in the order of its columns.
pub const LANGUAGES: [&str; 4] = ["en", "es", "fr", "de"];

/// Each row says one thing in every language of [`LANGUAGES`]. Matching ignores case and the
/// punctuation around a phrase; the phrase's own case is kept in what is written. Where two
/// rows say the same in a language (`bonjour`), the first is read.
const PHRASES: &[[&str; 4]] = &[
    [
        "can you share more details about the error message you're seeing",
        "puede compartir más detalles sobre el mensaje de error que está viendo",
        "pouvez-vous donner plus de détails sur le message d'erreur que vous voyez",
        "können Sie mehr Details zur Fehlermeldung nennen, die Sie sehen",
    ],
    [
        "how can I help you",
        "en qué puedo ayudarle",
        "comment puis-je vous aider",
        "wie kann ich Ihnen helfen",
    ],
    [
        "I need help with",
        "necesito ayuda con",
        "j'ai besoin d'aide avec",
        "ich brauche Hilfe mit",
    ],
    [
        "I need help",
        "necesito ayuda",
        "j'ai besoin d'aide",
        "ich brauche Hilfe",
    ],
    [
        "I have a problem with",
        "tengo un problema con",
        "j'ai un problème avec",
        "ich habe ein Problem mit",
    ],
    [
        "I would like to speak to an agent",
        "quiero hablar con un agente",
        "je voudrais parler à un agent",
        "ich möchte mit einem Agenten sprechen",
    ],
    [
        "my account is locked",
        "mi cuenta está bloqueada",
        "mon compte est bloqué",
        "mein Konto ist gesperrt",
    ],
    [
        "I forgot my password",
        "olvidé mi contraseña",
        "j'ai oublié mon mot de passe",
        "ich habe mein Passwort vergessen",
    ],
    [
        "my password",
        "mi contraseña",
        "mon mot de passe",
        "mein Passwort",
    ],
    [
        "does not work",
        "no funciona",
        "ne fonctionne pas",
        "funktioniert nicht",
    ],
    [
        "it works now",
        "ya funciona",
        "ça marche maintenant",
        "es funktioniert jetzt",
    ],
    [
        "restart your computer",
        "reinicie su ordenador",
        "redémarrez votre ordinateur",
        "starten Sie Ihren Computer neu",
    ],
    [
        "my computer",
        "mi ordenador",
        "mon ordinateur",
        "mein Computer",
    ],
    ["the printer", "la impresora", "l'imprimante", "der Drucker"],
    [
        "the database",
        "la base de datos",
        "la base de données",
        "die Datenbank",
    ],
    [
        "the error message",
        "el mensaje de error",
        "le message d'erreur",
        "die Fehlermeldung",
    ],
    [
        "is the problem solved",
        "está resuelto el problema",
        "le problème est-il résolu",
        "ist das Problem gelöst",
    ],
    [
        "one moment please",
        "un momento por favor",
        "un instant s'il vous plaît",
        "einen Moment bitte",
    ],
    ["hello", "hola", "bonjour", "hallo"],
    ["good morning", "buenos días", "bonjour", "guten Morgen"],
    [
        "good afternoon",
        "buenas tardes",
        "bon après-midi",
        "guten Tag",
    ],
    ["thank you", "gracias", "merci", "danke"],
    ["please", "por favor", "s'il vous plaît", "bitte"],
    ["goodbye", "adiós", "au revoir", "auf Wiedersehen"],
    ["yes", "sí", "oui", "ja"],
];

/// Common short words of each language: they help detection, they are never translated.
const COMMON: [&[&str]; 4] = [
    &[
        "the", "is", "my", "with", "and", "a", "not", "i", "you", "it", "to", "of", "what",
    ],
    &[
        "el", "los", "que", "con", "mi", "es", "está", "tengo", "para", "una", "y", "qué", "no",
    ],
    &[
        "le", "les", "je", "avec", "mon", "est", "une", "et", "pas", "ne", "vous", "il", "ma",
    ],
    &[
        "der", "die", "das", "ich", "mit", "mein", "ist", "nicht", "und", "ein", "eine", "sie",
    ],
];

/// The phrase-table translator.
#[derive(Debug, Clone, Copy, Default)]
pub struct PhraseTable;

/// One whitespace-separated word: the punctuation before it, its core, the punctuation after.
#[derive(Debug, Clone, Copy)]
struct Token<'a> {
    lead: &'a str,
    core: &'a str,
    trail: &'a str,
}

fn tokens(text: &str) -> Vec<Token<'_>> {
    text.split_whitespace()
        .map(|word| {
            let start = word.find(char::is_alphanumeric).unwrap_or(word.len());
            let end = word
                .char_indices()
                .rev()
                .find(|(_, c)| c.is_alphanumeric())
                .map_or(start, |(i, c)| i + c.len_utf8());
            Token {
                lead: &word[..start],
                core: &word[start..end.max(start)],
                trail: &word[end.max(start)..],
            }
        })
        .collect()
}

/// The column of `language` in the table.
fn column(language: &str) -> Option<usize> {
    LANGUAGES.iter().position(|l| *l == language)
}

/// The longest phrase of column `col` that starts at `tokens[at]`: its row and word count.
fn longest_match(tokens: &[Token<'_>], at: usize, col: usize) -> Option<(usize, usize)> {
    let mut best: Option<(usize, usize)> = None;
    for (row, phrase) in PHRASES.iter().enumerate() {
        let words: Vec<&str> = phrase[col].split_whitespace().collect();
        let n = words.len();
        if at + n > tokens.len() || best.is_some_and(|(_, len)| len >= n) {
            continue;
        }
        let window = &tokens[at..at + n];
        let inner_bare = window
            .iter()
            .enumerate()
            .all(|(i, t)| (i == 0 || t.lead.is_empty()) && (i + 1 == n || t.trail.is_empty()));
        let same = window
            .iter()
            .zip(&words)
            .all(|(t, w)| t.core.to_lowercase() == w.to_lowercase());
        if inner_bare && same {
            best = Some((row, n));
        }
    }
    best
}

/// `phrase` with its first letter upper-cased.
fn capitalised(phrase: &str) -> String {
    let mut chars = phrase.chars();
    chars.next().map_or_else(String::new, |first| {
        first.to_uppercase().chain(chars).collect()
    })
}

/// A matched phrase written in `target`: the source's surrounding punctuation kept, Spanish
/// opening marks added or dropped as the target needs.
fn render(first: Token<'_>, last: Token<'_>, phrase: &str, target: &str) -> String {
    let lead: String = first
        .lead
        .chars()
        .filter(|c| !matches!(c, '¿' | '¡'))
        .collect();
    let opening = match target {
        "es" if last.trail.contains('?') => "¿",
        "es" if last.trail.contains('!') => "¡",
        _ => "",
    };
    let upper = first.core.chars().next().is_some_and(char::is_uppercase);
    let phrase = if upper {
        capitalised(phrase)
    } else {
        phrase.to_owned()
    };
    format!("{lead}{opening}{phrase}{}", last.trail)
}

impl PhraseTable {
    /// `text` from `source` into `target`, synchronously.
    pub fn translate_now(
        &self,
        text: &str,
        source: &str,
        target: &str,
    ) -> Result<String, TranslateError> {
        let unsupported = || TranslateError::Unsupported {
            translator: self.name().to_owned(),
            source_language: source.to_owned(),
            target: target.to_owned(),
        };
        let (from, to) = (
            column(source).ok_or_else(unsupported)?,
            column(target).ok_or_else(unsupported)?,
        );
        if from == to {
            return Ok(text.to_owned());
        }
        let tokens = tokens(text);
        let mut words = Vec::with_capacity(tokens.len());
        let mut at = 0;
        while at < tokens.len() {
            if let Some((row, n)) = longest_match(&tokens, at, from) {
                words.push(render(
                    tokens[at],
                    tokens[at + n - 1],
                    PHRASES[row][to],
                    target,
                ));
                at += n;
            } else {
                let t = tokens[at];
                words.push(format!("{}{}{}", t.lead, t.core, t.trail));
                at += 1;
            }
        }
        Ok(words.join(" "))
    }

    /// The table language most of `text`'s words belong to (English on a tie), or `None`.
    pub fn detect_now(&self, text: &str) -> Option<Detected> {
        let tokens = tokens(text);
        let words = tokens.iter().filter(|t| !t.core.is_empty()).count();
        let mut best: Option<(usize, usize)> = None;
        for col in 0..LANGUAGES.len() {
            let score = covered(&tokens, col);
            if score > 0 && best.is_none_or(|(_, s)| score > s) {
                best = Some((col, score));
            }
        }
        best.map(|(col, score)| Detected {
            language: LANGUAGES[col].to_owned(),
            #[allow(clippy::cast_precision_loss)] // word counts of one message
            confidence: (score.min(words) as f64 * 100.0 / words.max(1) as f64).round(),
        })
    }
}

/// How many of `tokens` belong to phrases or common words of column `col`.
fn covered(tokens: &[Token<'_>], col: usize) -> usize {
    let mut score = 0;
    let mut at = 0;
    while at < tokens.len() {
        if let Some((_, n)) = longest_match(tokens, at, col) {
            score += n;
            at += n;
            continue;
        }
        let word = tokens[at].core.to_lowercase();
        if COMMON[col].contains(&word.as_str()) {
            score += 1;
        }
        at += 1;
    }
    score
}

#[async_trait]
impl Translator for PhraseTable {
    fn name(&self) -> &'static str {
        "offline phrase table"
    }

    async fn detect(&self, text: &str) -> Result<Option<Detected>, TranslateError> {
        Ok(self.detect_now(text))
    }

    async fn translate(
        &self,
        text: &str,
        source: &str,
        target: &str,
    ) -> Result<String, TranslateError> {
        self.translate_now(text, source, target)
    }
}
