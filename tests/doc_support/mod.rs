//! Reading the fenced examples out of a document in the repository, so a test can hold the
//! document to the code it describes.

/// The bodies of the document's code blocks fenced as `lang` (```` ```json ````, say), in
/// order. `path` is relative to the repository's root.
pub fn code_blocks(path: &str, lang: &str) -> Vec<String> {
    let full = format!("{}/{path}", env!("CARGO_MANIFEST_DIR"));
    let doc = std::fs::read_to_string(&full).unwrap_or_else(|e| panic!("{full}: {e}"));
    let opening = format!("```{lang}");
    let mut blocks = Vec::new();
    let mut current: Option<String> = None;
    for line in doc.lines() {
        match (&mut current, line.trim_start()) {
            (None, fence) if fence == opening => current = Some(String::new()),
            (Some(block), "```") => {
                blocks.push(std::mem::take(block));
                current = None;
            }
            (Some(block), _) => {
                block.push_str(line);
                block.push('\n');
            }
            (None, _) => {}
        }
    }
    assert!(
        current.is_none(),
        "{path}: a ```{lang} block is never closed"
    );
    blocks
}
