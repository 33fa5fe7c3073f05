//! Prompts and JSON schemas per task kind, and validation of answers against them.
//!
//! The job text comes first in the user message, so providers' prompt caching can reuse it across
//! the sections of a pair. Sections travel inside `<section>` tags, which the simulator also reads.
//! Changing any text here means bumping `PROMPT_VERSION`, which keys the cache and the journal.

use super::{max_output_tokens, BatchInput, Evaluation, TaskInput, TaskKind, TaskOutput};
use serde_json::{json, Value};
use std::sync::Arc;

/// The name of the forced tool (Anthropic) and of the schema (OpenAI).
pub const ANSWER_NAME: &str = "answer";

/// The system message of a task kind.
pub fn system_prompt(kind: TaskKind) -> &'static str {
    match kind {
        TaskKind::Evaluate => {
            "You assess how well one section of a resume matches a job description. Give a score from 0 \
             (irrelevant) to 100 (a perfect match), the job's key terms the section shows (matched) and the \
             most important ones it lacks (missing). Answer with JSON only, matching the schema."
        }
        TaskKind::Optimize => {
            "You tailor one section of a resume to a job description. Reorder bullets by relevance, \
             surface skills the section already shows that the job asks for, and tighten wording. Never \
             add a number, date, employer, school, degree or skill that the section does not contain. \
             Keep the section's layout (one line per bullet). Answer with JSON only, matching the schema."
        }
    }
}

/// The user message: job first (cacheable prefix), then the section.
pub fn user_message(input: &TaskInput<'_>) -> String {
    format!(
        "<job>\n{}\n</job>\n<task>{}</task>\n<section type=\"{}\">\n{}\n</section>",
        input.job_text.trim_end(),
        input.kind.as_str(),
        input.section_type.as_str(),
        input.text.trim_end_matches('\n')
    )
}

/// The JSON schema an answer must satisfy (strict-mode compatible: every property required, no
/// additional properties).
pub fn schema(kind: TaskKind) -> Value {
    match kind {
        TaskKind::Evaluate => json!({
            "type": "object",
            "properties": {
                "score": {"type": "number", "minimum": 0, "maximum": 100},
                "matched": {"type": "array", "items": {"type": "string"}},
                "missing": {"type": "array", "items": {"type": "string"}}
            },
            "required": ["score", "matched", "missing"],
            "additionalProperties": false
        }),
        TaskKind::Optimize => json!({
            "type": "object",
            "properties": {"text": {"type": "string"}},
            "required": ["text"],
            "additionalProperties": false
        }),
    }
}

/// A request as every wire format needs it: messages, the answer's schema and an output budget.
#[derive(Clone, Debug, PartialEq)]
pub struct Request {
    pub kind: TaskKind,
    pub system: String,
    pub user: String,
    pub schema: Value,
    pub max_tokens: u32,
}

impl Request {
    /// One section.
    pub fn single(input: &TaskInput<'_>) -> Request {
        Request { kind: input.kind, system: system_prompt(input.kind).to_string(), user: user_message(input), schema: schema(input.kind), max_tokens: max_output_tokens(input) }
    }

    /// Several sections of one job in one request, answered as `items` with their ids.
    pub fn batch(batch: &BatchInput<'_>) -> Request {
        let mut user = format!("<job>\n{}\n</job>\n<task>{}</task>", batch.job_text.trim_end(), batch.kind.as_str());
        let mut max_tokens = 64u32;
        for (i, item) in batch.items.iter().enumerate() {
            user.push_str(&format!("\n<section id=\"{i}\" type=\"{}\">\n{}\n</section>", item.section_type.as_str(), item.text.trim_end_matches('\n')));
            max_tokens = max_tokens.saturating_add(max_output_tokens(&batch.input(i)));
        }
        let system = format!(
            "{} Several sections follow, each with an id: answer every one, as one entry of `items` carrying its id.",
            system_prompt(batch.kind)
        );
        let mut item_schema = schema(batch.kind);
        item_schema["properties"]["id"] = json!({"type": "string"});
        if let Some(required) = item_schema["required"].as_array_mut() {
            required.insert(0, json!("id"));
        }
        let schema = json!({
            "type": "object",
            "properties": {"items": {"type": "array", "items": item_schema}},
            "required": ["items"],
            "additionalProperties": false
        });
        Request { kind: batch.kind, system, user, schema, max_tokens: max_tokens.min(16_384) }
    }

    /// The system message with the schema spelt out, for servers that take no schema parameter.
    pub fn system_with_schema(&self) -> String {
        format!("{}\nJSON schema:\n{}", self.system, self.schema)
    }
}

/// Splits a batch answer into one result per item, in the batch's order. An item the model left
/// out or answered off-schema fails alone.
pub fn parse_batch_answer(batch: &BatchInput<'_>, answer: &Value) -> Result<Vec<Result<TaskOutput, String>>, String> {
    let items = answer.get("items").and_then(Value::as_array).ok_or("answer lacks the array items")?;
    Ok((0..batch.items.len())
        .map(|i| {
            let id = i.to_string();
            let found = items.iter().find(|v| v.get("id").and_then(Value::as_str) == Some(id.as_str())).ok_or(format!("no answer for section {id}"))?;
            let mut obj = found.as_object().cloned().ok_or("item is not an object")?;
            obj.remove("id");
            parse_answer(&batch.input(i), &Value::Object(obj))
        })
        .collect())
}

/// Validates a parsed answer against the task's schema and turns it into a task output. The
/// optimized text keeps the original section's trailing newline, so assembly stays line-exact.
pub fn parse_answer(input: &TaskInput<'_>, answer: &Value) -> Result<TaskOutput, String> {
    let obj = answer.as_object().ok_or("answer is not a JSON object")?;
    let allowed: &[&str] = match input.kind {
        TaskKind::Evaluate => &["score", "matched", "missing"],
        TaskKind::Optimize => &["text"],
    };
    if let Some(extra) = obj.keys().find(|k| !allowed.contains(&k.as_str())) {
        return Err(format!("answer has an unexpected field {extra:?}"));
    }
    match input.kind {
        TaskKind::Evaluate => {
            let score = obj.get("score").and_then(Value::as_f64).ok_or("answer lacks a numeric score")?;
            if !(0.0..=100.0).contains(&score) {
                return Err(format!("score {score} is outside 0 to 100"));
            }
            let strings = |field: &str| -> Result<Vec<Arc<str>>, String> {
                obj.get(field)
                    .and_then(Value::as_array)
                    .ok_or(format!("answer lacks the array {field}"))?
                    .iter()
                    .map(|v| v.as_str().map(Arc::from).ok_or(format!("{field} holds a non-string")))
                    .collect()
            };
            Ok(TaskOutput::Evaluation(Evaluation { score: score as f32, matched: strings("matched")?, missing: strings("missing")? }))
        }
        TaskKind::Optimize => {
            let text = obj.get("text").and_then(Value::as_str).ok_or("answer lacks the string text")?;
            if text.trim().is_empty() {
                return Err("optimized text is empty".into());
            }
            let mut text = text.trim_end_matches('\n').to_string();
            if input.text.ends_with('\n') {
                text.push('\n');
            }
            Ok(TaskOutput::Optimization(text))
        }
    }
}

/// Finds the JSON object in a model's free text (for `prompt` mode): a fenced block or the span from
/// the first `{` to the last `}`.
pub fn extract_json(text: &str) -> Option<Value> {
    if let Ok(v) = serde_json::from_str::<Value>(text.trim()) {
        return Some(v);
    }
    let start = text.find('{')?;
    let end = text.rfind('}')?;
    (start < end).then(|| serde_json::from_str(&text[start..=end]).ok()).flatten()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::job::analyse;
    use crate::provider::BatchItem;
    use crate::segment::SectionType;

    fn input(kind: TaskKind, text: &str) -> TaskInput<'_> {
        let job = Box::leak(Box::new(analyse("Job\n- Python\n")));
        TaskInput { kind, section_type: SectionType::Skills, text, job_text: "Job\n- Python\n", job, evidence: &[], hits: None }
    }

    #[test]
    fn user_message_puts_the_job_first() {
        let m = user_message(&input(TaskKind::Optimize, "Python, Go\n"));
        assert!(m.starts_with("<job>\nJob\n- Python\n</job>"));
        assert!(m.ends_with("<section type=\"skills\">\nPython, Go\n</section>"));
    }

    #[test]
    fn answers_are_validated() {
        let i = input(TaskKind::Evaluate, "x");
        assert!(parse_answer(&i, &json!({"score": 50, "matched": ["a"], "missing": []})).is_ok());
        assert!(parse_answer(&i, &json!({"score": 150, "matched": [], "missing": []})).is_err());
        assert!(parse_answer(&i, &json!({"score": 5, "matched": [1], "missing": []})).is_err());
        assert!(parse_answer(&i, &json!({"score": 5, "matched": [], "missing": [], "x": 1})).is_err());
        let o = input(TaskKind::Optimize, "a\n");
        assert_eq!(parse_answer(&o, &json!({"text": "b"})), Ok(TaskOutput::Optimization("b\n".into())));
        assert!(parse_answer(&o, &json!({"text": "  "})).is_err());
        assert!(parse_answer(&o, &json!(["text"])).is_err());
    }

    #[test]
    fn batches_number_their_sections_and_split_answers_by_id() {
        let job = analyse("Job\n- Python\n");
        let items = [BatchItem { section_type: SectionType::Skills, text: "Python\n" }, BatchItem { section_type: SectionType::Summary, text: "Builds.\n" }];
        let batch = BatchInput { kind: TaskKind::Optimize, job_text: "Job\n- Python\n", job: &job, evidence: &[], items: &items };
        let r = Request::batch(&batch);
        assert!(r.user.contains("<section id=\"0\" type=\"skills\">\nPython\n</section>"));
        assert!(r.user.contains("<section id=\"1\" type=\"summary\">"));
        assert_eq!(r.schema["properties"]["items"]["items"]["required"][0], "id");
        let answer = json!({"items": [{"id": "1", "text": "Builds fast."}, {"id": "0", "text": "Python"}]});
        let out = parse_batch_answer(&batch, &answer).expect("shape");
        assert_eq!(out[0], Ok(TaskOutput::Optimization("Python\n".into())));
        assert_eq!(out[1], Ok(TaskOutput::Optimization("Builds fast.\n".into())));
        let partial = parse_batch_answer(&batch, &json!({"items": [{"id": "0", "text": "Python"}]})).expect("shape");
        assert!(partial[0].is_ok() && partial[1].is_err());
    }

    #[test]
    fn json_is_found_in_chatty_text() {
        assert_eq!(extract_json("Sure! ```json\n{\"text\": \"a\"}\n```"), Some(json!({"text": "a"})));
        assert_eq!(extract_json("no json here"), None);
    }
}
