//! The runtime model table built from `tailor.toml`: each model with its provider, price and
//! fallback chain per task kind. Keys are read from the environment here, once, before any work.

use super::anthropic::AnthropicProvider;
use super::http::{HttpClient, HttpSettings};
use super::local::LocalProvider;
use super::openai::{Dialect, OpenAiProvider, StructuredOutput};
use super::{ApiKey, Provider, TaskKind, Usage};
use crate::config::{FileConfig, ProviderKind};
use std::sync::Arc;
use std::time::Duration;

const DEFAULT_CONCURRENCY: usize = 8;
const DEFAULT_TIMEOUT_S: f64 = 60.0;
const DEFAULT_CONNECT_TIMEOUT_S: f64 = 10.0;

/// USD per million tokens.
#[derive(Clone, Copy, Debug, Default, PartialEq)]
pub struct Price {
    pub in_per_mtok: f64,
    pub out_per_mtok: f64,
    pub cached_in_per_mtok: f64,
}

impl Price {
    /// Cost of a call from its reported usage.
    pub fn cost(&self, u: &Usage) -> f64 {
        let cached = u.cached_input_tokens.min(u.input_tokens);
        ((u.input_tokens - cached) as f64 * self.in_per_mtok + cached as f64 * self.cached_in_per_mtok + u.output_tokens as f64 * self.out_per_mtok)
            / 1e6
    }
}

/// Cache key of one section's task on a model: everything that determines the answer. The text is
/// normalised (trailing spaces, blank lines at the ends) so cosmetic differences share an answer.
pub fn task_cache_key(entry: &ModelEntry, kind: super::TaskKind, section_type: crate::segment::SectionType, text: &str, job_hash: &str) -> [u8; 32] {
    let text: String = text.trim_matches('\n').lines().map(str::trim_end).collect::<Vec<_>>().join("\n");
    crate::state::cache_key(&[super::PROMPT_VERSION, kind.as_str(), section_type.as_str(), &text, job_hash, entry.provider.name(), &entry.name])
}

/// One model as the engine uses it.
#[derive(Debug, Clone)]
pub struct ModelEntry {
    pub name: String,
    pub provider: Arc<dyn Provider>,
    pub price: Price,
    pub simpler: Option<String>,
    /// Answers worth caching across runs (every model but the free, instant local one).
    pub cacheable: bool,
    /// The provider's worker count.
    pub max_concurrency: usize,
    /// Requests and tokens per minute for this model, when configured.
    pub rpm: Option<u32>,
    pub tpm: Option<u64>,
}

/// A configuration that cannot run: a missing key variable, most often.
#[derive(Debug, thiserror::Error)]
#[error("{0}")]
pub struct RegistryError(pub String);

/// All models, and each task kind's chain of models to try in order.
#[derive(Debug, Clone)]
pub struct Registry {
    entries: Vec<ModelEntry>,
    evaluate: Vec<usize>,
    optimize: Vec<usize>,
}

/// A provider as built from its config section, before models refer to it.
struct BuiltProvider {
    name: String,
    provider: Arc<dyn Provider>,
    concurrency: usize,
    rpm: Option<u32>,
    tpm: Option<u64>,
}

fn local_entry() -> ModelEntry {
    ModelEntry {
        name: "local".into(),
        provider: Arc::new(LocalProvider),
        price: Price::default(),
        simpler: None,
        cacheable: false,
        max_concurrency: 1,
        rpm: None,
        tpm: None,
    }
}

impl Registry {
    /// The default with no config: the local provider for everything.
    pub fn local_only() -> Registry {
        Registry { entries: vec![local_entry()], evaluate: vec![0], optimize: vec![0] }
    }

    /// Builds providers and models from a validated config, reading keys through `env`.
    pub fn from_config(config: &FileConfig, env: &dyn Fn(&str) -> Option<String>) -> Result<Registry, RegistryError> {
        let mut providers = vec![BuiltProvider { name: "local".into(), provider: Arc::new(LocalProvider), concurrency: 1, rpm: None, tpm: None }];
        for p in &config.providers {
            let key = match &p.api_key_env {
                Some(var) => match env(var) {
                    Some(k) if !k.trim().is_empty() => Some(ApiKey::new(k.trim().to_string())),
                    _ => return Err(RegistryError(format!("provider {:?}: environment variable {var} is not set; it must hold the API key", p.name))),
                },
                None => None,
            };
            let concurrency = p.max_concurrency.unwrap_or(DEFAULT_CONCURRENCY);
            let settings = HttpSettings {
                connect_timeout: Duration::from_secs_f64(p.connect_timeout_s.unwrap_or(DEFAULT_CONNECT_TIMEOUT_S)),
                request_timeout: Duration::from_secs_f64(p.timeout_s.unwrap_or(DEFAULT_TIMEOUT_S)),
                max_concurrency: concurrency,
            };
            let mode = p.structured_output.unwrap_or(StructuredOutput::JsonSchema);
            let provider: Arc<dyn Provider> = match p.kind {
                ProviderKind::Local => Arc::new(LocalProvider),
                ProviderKind::Openai => {
                    let url = p.base_url.as_deref().unwrap_or("https://api.openai.com/v1");
                    Arc::new(OpenAiProvider::new(&p.name, url, key, mode, Dialect::OpenAi, HttpClient::new(&settings)))
                }
                ProviderKind::OpenaiCompatible => {
                    let url = p.base_url.as_deref().unwrap_or_default();
                    Arc::new(OpenAiProvider::new(&p.name, url, key, mode, Dialect::Compatible, HttpClient::new(&settings)))
                }
                ProviderKind::Anthropic => {
                    let url = p.base_url.as_deref().unwrap_or("https://api.anthropic.com");
                    let key = key.ok_or_else(|| RegistryError(format!("provider {:?}: api_key_env is required", p.name)))?;
                    Arc::new(AnthropicProvider::new(&p.name, url, key, HttpClient::new(&settings)))
                }
            };
            providers.push(BuiltProvider { name: p.name.clone(), provider, concurrency, rpm: p.rpm, tpm: p.tpm });
        }
        let mut entries = vec![local_entry()];
        for m in &config.models {
            let built = providers.iter().find(|b| b.name == m.provider).ok_or_else(|| RegistryError(format!("model {:?}: no provider {:?}", m.name, m.provider)))?;
            entries.push(ModelEntry {
                name: m.name.clone(),
                provider: Arc::clone(&built.provider),
                price: Price { in_per_mtok: m.price_in_per_mtok, out_per_mtok: m.price_out_per_mtok, cached_in_per_mtok: m.price_cached_in_per_mtok.unwrap_or(m.price_in_per_mtok) },
                simpler: m.simpler.clone(),
                cacheable: m.provider != "local",
                max_concurrency: built.concurrency,
                rpm: m.rpm.or(built.rpm),
                tpm: m.tpm.or(built.tpm),
            });
        }
        let mut registry = Registry { entries, evaluate: Vec::new(), optimize: Vec::new() };
        registry.evaluate = registry.expand(&config.routing.evaluate);
        registry.optimize = registry.expand(&config.routing.optimize);
        Ok(registry)
    }

    fn index(&self, name: &str) -> Option<usize> {
        self.entries.iter().position(|e| e.name == name)
    }

    /// The routing list with each model's `simpler` chain after it and `local` last, no repeats.
    fn expand(&self, routing: &[String]) -> Vec<usize> {
        let mut chain = Vec::new();
        for name in routing {
            let mut next = self.index(name);
            while let Some(i) = next {
                if chain.contains(&i) {
                    break;
                }
                chain.push(i);
                next = self.entries[i].simpler.as_deref().and_then(|s| self.index(s));
            }
        }
        let local = self.index("local").expect("local is always registered");
        if !chain.contains(&local) {
            chain.push(local);
        }
        chain
    }

    /// Models to try for a task kind, best first; the last is always `local`.
    pub fn chain(&self, kind: TaskKind) -> &[usize] {
        match kind {
            TaskKind::Evaluate => &self.evaluate,
            TaskKind::Optimize => &self.optimize,
        }
    }

    pub fn entry(&self, index: usize) -> &ModelEntry {
        &self.entries[index]
    }

    /// A registry of given models (local is added first) and chains by model name: for tests and
    /// benches that bring their own providers.
    pub fn from_entries(models: Vec<ModelEntry>, evaluate: &[&str], optimize: &[&str]) -> Registry {
        let mut entries = vec![local_entry()];
        entries.extend(models);
        let mut r = Registry { entries, evaluate: Vec::new(), optimize: Vec::new() };
        let names = |list: &[&str]| list.iter().map(|s| s.to_string()).collect::<Vec<_>>();
        r.evaluate = r.expand(&names(evaluate));
        r.optimize = r.expand(&names(optimize));
        r
    }

    /// The same models with each chain cut to its first model: no fallback at all (the baseline).
    pub fn first_only(&self) -> Registry {
        Registry { entries: self.entries.clone(), evaluate: self.evaluate[..1].to_vec(), optimize: self.optimize[..1].to_vec() }
    }

    /// Number of models.
    pub fn len(&self) -> usize {
        self.entries.len()
    }

    /// True when only the built-in local model exists.
    pub fn is_empty(&self) -> bool {
        self.entries.is_empty()
    }

    /// Whether any chain reaches a networked model (otherwise every task is local CPU work).
    pub fn uses_network(&self) -> bool {
        self.evaluate.iter().chain(&self.optimize).any(|&i| self.entries[i].cacheable)
    }

    /// Calls that may be in flight at once over all networked models' providers.
    pub fn network_concurrency(&self) -> usize {
        let mut seen: Vec<&str> = Vec::new();
        let mut total = 0;
        for e in self.entries.iter().filter(|e| e.cacheable) {
            if !seen.contains(&e.provider.name()) {
                seen.push(e.provider.name());
                total += e.max_concurrency;
            }
        }
        total
    }

    /// What decides answers: the chains by name, for the journal's settings fingerprint.
    pub fn fingerprint(&self) -> String {
        let names = |c: &[usize]| c.iter().map(|&i| format!("{}/{}", self.entries[i].provider.name(), self.entries[i].name)).collect::<Vec<_>>().join(",");
        format!("evaluate={};optimize={}", names(&self.evaluate), names(&self.optimize))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn config(text: &str) -> FileConfig {
        toml::from_str(text).expect("config parses")
    }

    const CONFIG: &str = r#"
[[provider]]
name = "openai"
kind = "openai"
api_key_env = "TAILOR_TEST_KEY"
[[provider]]
name = "claude"
kind = "anthropic"
api_key_env = "TAILOR_TEST_KEY"
max_concurrency = 4
[[model]]
name = "big"
provider = "openai"
price_in_per_mtok = 2.0
price_out_per_mtok = 8.0
simpler = "small"
[[model]]
name = "small"
provider = "openai"
price_in_per_mtok = 0.1
price_out_per_mtok = 0.4
price_cached_in_per_mtok = 0.05
[[model]]
name = "haiku"
provider = "claude"
[routing]
optimize = ["big", "haiku"]
"#;

    #[test]
    fn chains_follow_routing_then_simpler_then_local() {
        let r = Registry::from_config(&config(CONFIG), &|_| Some("sk-test".into())).expect("registry");
        let names: Vec<&str> = r.chain(TaskKind::Optimize).iter().map(|&i| r.entry(i).name.as_str()).collect();
        assert_eq!(names, vec!["big", "small", "haiku", "local"]);
        let eval: Vec<&str> = r.chain(TaskKind::Evaluate).iter().map(|&i| r.entry(i).name.as_str()).collect();
        assert_eq!(eval, vec!["local"]);
        assert_eq!(r.network_concurrency(), 8 + 4);
    }

    #[test]
    fn a_missing_key_names_the_variable_not_a_value() {
        let e = Registry::from_config(&config(CONFIG), &|_| None).expect_err("no key");
        assert!(e.to_string().contains("TAILOR_TEST_KEY"), "{e}");
    }

    #[test]
    fn cost_uses_cached_price() {
        let p = Price { in_per_mtok: 1.0, out_per_mtok: 4.0, cached_in_per_mtok: 0.5 };
        let c = p.cost(&Usage { input_tokens: 1_000_000, output_tokens: 500_000, cached_input_tokens: 200_000 });
        assert!((c - (0.8 + 0.1 + 2.0)).abs() < 1e-9, "{c}");
    }
}
