//! Progress bars on stderr while layers are pulled and read, and the
//! translation of image arguments into library options.
//!
//! Bars are drawn only when stderr is a terminal and `--quiet` is off; in CI
//! logs and pipes bosun stays silent.

use std::collections::HashMap;
use std::io::IsTerminal;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use anyhow::Context;
use bosun_image::{Credentials, OpenOptions, Progress};
use indicatif::{MultiProgress, ProgressBar, ProgressDrawTarget, ProgressStyle};

use crate::cli::ImageArgs;

/// One bar per layer being read, under a shared multi-bar.
#[derive(Clone)]
pub(crate) struct Bars {
    inner: Option<Arc<Inner>>,
}

struct Inner {
    multi: MultiProgress,
    bars: Mutex<HashMap<usize, ProgressBar>>,
}

impl Bars {
    pub(crate) fn new(quiet: bool) -> Self {
        if quiet || !std::io::stderr().is_terminal() {
            return Bars { inner: None };
        }
        Bars {
            inner: Some(Arc::new(Inner {
                multi: MultiProgress::with_draw_target(ProgressDrawTarget::stderr()),
                bars: Mutex::new(HashMap::new()),
            })),
        }
    }

    fn sink(&self) -> Option<Arc<dyn Progress>> {
        self.inner
            .as_ref()
            .map(|i| Arc::clone(i) as Arc<dyn Progress>)
    }

    /// Removes every bar from the terminal.
    pub(crate) fn finish(&self) {
        if let Some(inner) = &self.inner {
            if let Ok(mut bars) = inner.bars.lock() {
                for (_, bar) in bars.drain() {
                    bar.finish_and_clear();
                }
            }
            let _ = inner.multi.clear();
        }
    }
}

impl Progress for Inner {
    fn layer_started(&self, index: usize, size: Option<u64>) {
        let bar = match size {
            Some(n) => self.multi.add(ProgressBar::new(n)),
            None => self.multi.add(ProgressBar::new_spinner()),
        };
        let style = match size {
            Some(_) => ProgressStyle::with_template(
                "{prefix:>9} [{bar:30}] {bytes:>10}/{total_bytes:<10} {bytes_per_sec:>12}",
            ),
            None => ProgressStyle::with_template(
                "{prefix:>9} {spinner} {bytes:>10} {bytes_per_sec:>12}",
            ),
        };
        if let Ok(style) = style {
            bar.set_style(style.progress_chars("=> "));
        }
        bar.set_prefix(format!("layer {index}"));
        bar.enable_steady_tick(Duration::from_millis(120));
        if let Ok(mut bars) = self.bars.lock() {
            bars.insert(index, bar);
        }
    }

    fn layer_progress(&self, index: usize, bytes: u64) {
        if let Ok(bars) = self.bars.lock()
            && let Some(bar) = bars.get(&index)
        {
            bar.set_position(bytes);
        }
    }

    fn layer_finished(&self, index: usize) {
        if let Ok(mut bars) = self.bars.lock()
            && let Some(bar) = bars.remove(&index)
        {
            bar.finish_and_clear();
        }
    }
}

/// Fills the image-reading options from the command line.
pub(crate) fn configure(
    opts: &mut OpenOptions,
    args: &ImageArgs,
    bars: Bars,
) -> anyhow::Result<()> {
    opts.platform = args
        .platform
        .parse()
        .map_err(|e| anyhow::anyhow!("{e}"))
        .with_context(|| format!("invalid --platform `{}`", args.platform))?;
    opts.insecure = args.insecure;
    opts.credentials = match (&args.username, &args.password) {
        (Some(u), Some(p)) => Some(Credentials {
            username: u.clone(),
            password: p.clone(),
        }),
        (Some(_), None) => {
            anyhow::bail!("--username needs --password (or BOSUN_REGISTRY_PASSWORD)")
        }
        (None, Some(_)) => {
            anyhow::bail!("--password needs --username (or BOSUN_REGISTRY_USERNAME)")
        }
        (None, None) => None,
    };
    if let Some(n) = args.max_layer_size {
        opts.limits.max_layer_bytes = n;
    }
    if let Some(n) = args.max_layers {
        opts.limits.max_layers = n;
    }
    opts.timeouts.read = Duration::from_secs(args.timeout.max(1));
    opts.timeouts.connect = Duration::from_secs(args.timeout.clamp(1, 30));
    opts.progress = bars.sink();
    Ok(())
}
