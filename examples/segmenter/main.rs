//! Trains and evaluates the segmenter's line classifier on labelled resumes. Run through
//! `scripts/train-segmenter` and `scripts/eval-segmenter`.
//!
//! ```text
//! segmenter eval  --rendered DIR [--handwritten DIR] [--split FILE] [--part heldout|train] [--files] [--lines]
//! segmenter train --rendered DIR [--handwritten DIR] [--split FILE] --out data/segmenter-weights.tsv
//! ```
#![forbid(unsafe_code)]

mod corpus;
mod eval;
mod train;

use anyhow::Result;
use clap::{Parser, Subcommand, ValueEnum};
use corpus::Part;
use std::path::PathBuf;
use tailor::segment::Method;

#[derive(Parser)]
struct Args {
    #[command(subcommand)]
    command: Command,
}

#[derive(clap::Args)]
struct Corpus {
    /// Folder of generator renderings (`make_sample_data --labelled DIR`).
    #[arg(long, value_name = "DIR")]
    rendered: PathBuf,
    /// Folder of hand-written `t-*`/`h-*` resumes; skipped with a note when it does not exist.
    #[arg(long, value_name = "DIR", default_value = "data/segment-eval/handwritten")]
    handwritten: PathBuf,
    /// Which source documents train and which are held out.
    #[arg(long, value_name = "FILE", default_value = "data/segment-eval/split.tsv")]
    split: PathBuf,
}

impl Corpus {
    fn load(&self, part: Part) -> Result<Vec<corpus::Doc>> {
        let hand = self.handwritten.is_dir().then_some(self.handwritten.as_path());
        if hand.is_none() {
            println!("note: no hand-written folder at {}; generator renderings only", self.handwritten.display());
        }
        corpus::load(&self.rendered, hand, &self.split, part)
    }
}

#[derive(Clone, Copy, ValueEnum)]
enum PartArg {
    Heldout,
    Train,
}

#[derive(Subcommand)]
enum Command {
    /// Rules alone vs classifier alone vs combined on one part (the held-out part by default).
    Eval {
        #[command(flatten)]
        corpus: Corpus,
        #[arg(long, value_enum, default_value = "heldout")]
        part: PartArg,
        /// List the files with a wrong line or count (always on the training part; on the
        /// held-out part only when asked, so that tuning never looks at held-out files).
        #[arg(long)]
        files: bool,
        /// Also print every wrong line of the failing files (implies --files).
        #[arg(long)]
        lines: bool,
        /// The method the per-group and per-file breakdown is for.
        #[arg(long, value_enum, default_value = "combined")]
        detail: MethodArg,
    },
    /// Trains both weight sets on the training part and writes the weights file.
    Train {
        #[command(flatten)]
        corpus: Corpus,
        #[arg(long, value_name = "FILE")]
        out: PathBuf,
        /// 24: with 39 hand-written resumes whose headers take many shapes, 12 passes left the
        /// entry-start model short of fitting them (a plain "Title | Company | dates" over bullets
        /// fell below zero).
        #[arg(long, default_value_t = 24)]
        epochs: usize,
        #[arg(long, default_value_t = 0.05)]
        rate: f32,
        #[arg(long, default_value_t = 0.01)]
        l2: f32,
        #[arg(long, default_value_t = 4.0)]
        handwritten_weight: f32,
        #[arg(long, default_value_t = 0.5)]
        transition_scale: f32,
        #[arg(long, default_value_t = 3)]
        seed: u64,
    },
}

#[derive(Clone, Copy, ValueEnum)]
enum MethodArg {
    Rules,
    Classifier,
    Combined,
}

impl MethodArg {
    fn method(self) -> Method {
        match self {
            MethodArg::Rules => Method::Rules,
            MethodArg::Classifier => Method::Classifier,
            MethodArg::Combined => Method::Combined,
        }
    }
}

fn main() -> Result<()> {
    match Args::parse().command {
        Command::Eval { corpus, part, files, lines, detail } => {
            let show_files = files || lines || matches!(part, PartArg::Train);
            let part = match part {
                PartArg::Heldout => Part::HeldOut,
                PartArg::Train => Part::Train,
            };
            let docs = corpus.load(part)?;
            let hand = docs.iter().filter(|d| d.group == "handwritten").count();
            println!("{:?} part: {} generator renderings + {} hand-written resumes\n", part, docs.len() - hand, hand);
            let methods = [("rules", Method::Rules), ("classifier", Method::Classifier), ("combined", Method::Combined)];
            eval::report(&docs, &methods, detail.method(), show_files, lines);
        }
        Command::Train { corpus, out, epochs, rate, l2, handwritten_weight, transition_scale, seed } => {
            let docs = corpus.load(Part::Train)?;
            let hand = docs.iter().filter(|d| d.group == "handwritten").count();
            let s = train::Settings { epochs, rate, l2, handwritten_weight, transition_scale, seed };
            let weights = train::train(&docs, &s);
            let header = format!(
                "tailor segmenter weights, written by scripts/train-segmenter: do not edit by hand.\n\
                 Trained on {} generator renderings and {hand} hand-written resumes (the training part of\n\
                 data/segment-eval/split.tsv); epochs={epochs} rate={rate} l2={l2} handwritten_weight={handwritten_weight}\n\
                 transition_scale={transition_scale} seed={seed}. See src/segment/classifier.rs for the format.",
                docs.len() - hand
            );
            std::fs::write(&out, tailor::segment::weights_tsv(&weights, &header))?;
            println!("trained on {} resumes ({hand} hand-written); wrote {}", docs.len(), out.display());
        }
    }
    Ok(())
}
