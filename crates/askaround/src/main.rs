//! The askaround binary: a thin layer of subcommands over the library crates.

mod config;
mod demo;
mod import_cmd;
mod org_cmd;
mod store;
mod taxonomy_cmd;

use std::path::PathBuf;
use std::process::ExitCode;

use anyhow::{Context, Result};
use clap::{Parser, Subcommand};
use tokio::net::TcpListener;

use askaround_core::demo::{ADMIN_EMAIL, DemoOptions, MAX_PEOPLE, MEMBER_EMAIL};
use askaround_server::people_import::ImportOptions;

#[derive(Parser)]
#[command(
    name = "askaround",
    version,
    about = "Route what people need to learn right now to the colleagues who can help."
)]
struct Cli {
    /// Configuration file (default: ./askaround.toml if present).
    #[arg(long, global = true, env = "ASKAROUND_CONFIG")]
    config: Option<PathBuf>,
    /// Database URL, e.g. sqlite://askaround-data/askaround.db
    #[arg(long, global = true)]
    database_url: Option<String>,
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Run the server.
    Serve {
        /// Address to listen on, e.g. 0.0.0.0:8080.
        #[arg(long)]
        listen: Option<String>,
        /// The address people use, e.g. https://askaround.example.com.
        #[arg(long)]
        public_url: Option<String>,
        /// Serve the demo organisation (created on first start) and print how to sign in.
        #[arg(long)]
        demo: bool,
        #[command(flatten)]
        demo_args: DemoArgs,
    },
    /// Create the demo organisation without serving, and print how to sign in.
    Demo {
        #[command(flatten)]
        demo_args: DemoArgs,
    },
    /// Import or update people from a CSV file (columns in the README).
    Import {
        file: PathBuf,
        /// Organisation slug (needed when the database has several).
        #[arg(long)]
        org: Option<String>,
        /// Import the valid rows and list the others, instead of importing nothing.
        #[arg(long)]
        skip_invalid: bool,
        /// Check the file only.
        #[arg(long)]
        dry_run: bool,
        /// Time zone for rows that give none (default UTC).
        #[arg(long)]
        timezone: Option<String>,
    },
    /// Manage organisations.
    #[command(subcommand)]
    Org(OrgCommand),
    /// Print a configuration file with every setting at its default.
    DefaultConfig,
    /// Print the OpenAPI document of the JSON API.
    Openapi,
    /// Measure routing quality on public expert-finding data (MRR, P@1, P@3, nDCG@10), next to
    /// baselines computed in the same run.
    #[command(subcommand)]
    EvalRouting(EvalCommand),
    /// Copy a whole installation from SQLite into an empty PostgreSQL database, and check the copy.
    MigrateData {
        /// The SQLite database, e.g. sqlite://askaround-data/askaround.db
        #[arg(long)]
        from: String,
        /// An empty PostgreSQL database, e.g. postgres://askaround@db.internal:5432/askaround
        #[arg(long)]
        to: String,
    },
    /// Maintainers: regenerate the seed skill taxonomy from public data.
    #[command(subcommand, hide = true)]
    Taxonomy(TaxonomyCommand),
}

#[derive(clap::Args)]
struct DemoArgs {
    /// People in the demo organisation (2 to 100000).
    #[arg(long, default_value_t = askaround_core::demo::DEFAULT_PEOPLE, value_parser = parse_people)]
    people: usize,
    /// Seed of the generator: the same seed gives the same organisation.
    #[arg(long, default_value_t = 2026)]
    seed: u64,
    /// Password for the demo accounts (default: a new random one each start).
    #[arg(long, env = "ASKAROUND_DEMO_PASSWORD")]
    demo_password: Option<String>,
}

fn parse_people(raw: &str) -> Result<usize, String> {
    let n: usize = raw
        .parse()
        .map_err(|_| format!("'{raw}' is not a whole number"))?;
    if (2..=MAX_PEOPLE).contains(&n) {
        Ok(n)
    } else {
        Err(format!("must be from 2 to {MAX_PEOPLE}"))
    }
}

#[derive(Subcommand)]
enum OrgCommand {
    /// Create an organisation and invite its first admin.
    Create {
        #[arg(long)]
        name: String,
        #[arg(long)]
        admin_email: String,
        #[arg(long)]
        admin_name: String,
        #[arg(long, default_value = "UTC")]
        timezone: String,
    },
    /// Print a new invitation link for someone (imported people, expired links, lost passwords).
    Invite {
        #[arg(long)]
        email: String,
        /// Organisation slug (needed when the database has several).
        #[arg(long)]
        org: Option<String>,
    },
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, clap::ValueEnum)]
enum Format {
    Table,
    Json,
}

#[derive(Subcommand)]
enum EvalCommand {
    /// The PMEF History Stack Exchange benchmark: rank each question's 20 candidates.
    Pmef {
        /// The benchmark folder (questions.jsonl, experts.jsonl).
        dir: PathBuf,
        /// The split to evaluate (`qid aid label` rows), e.g. dev.tsv.
        #[arg(long)]
        split: PathBuf,
        #[arg(long, value_enum, default_value = "table")]
        format: Format,
    },
    /// A Stack Exchange data dump replayed in time order.
    Stackexchange {
        /// The dump folder (Posts.xml, ...).
        dir: PathBuf,
        #[arg(long, value_enum, default_value = "table")]
        format: Format,
    },
    /// Maintainers: search expertise weights on a training split and print the best.
    #[command(hide = true)]
    TunePmef {
        dir: PathBuf,
        #[arg(long)]
        split: PathBuf,
    },
}

#[derive(Subcommand)]
enum TaxonomyCommand {
    /// Print the seed taxonomy built from O*NET and Stack Exchange tags.
    Build {
        /// The O*NET text release folder (with `Technology Skills.txt`).
        #[arg(long)]
        onet: PathBuf,
        /// `TOPIC=DUMP_DIR` for each Stack Exchange dump, e.g. "Artificial intelligence=../ai".
        #[arg(long = "stackexchange")]
        stackexchange: Vec<String>,
        /// Curated additions (TSV).
        #[arg(long)]
        curated: PathBuf,
    },
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    let runtime = match tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
    {
        Ok(rt) => rt,
        Err(e) => {
            eprintln!("error: starting the runtime: {e}");
            return ExitCode::FAILURE;
        }
    };
    match runtime.block_on(run(cli)) {
        Ok(code) => code,
        Err(e) => {
            eprintln!("error: {e:#}");
            ExitCode::FAILURE
        }
    }
}

async fn run(cli: Cli) -> Result<ExitCode> {
    let (listen, public_url) = match &cli.command {
        Command::Serve {
            listen, public_url, ..
        } => (listen.clone(), public_url.clone()),
        _ => (None, None),
    };
    let overrides = config::Overrides {
        listen,
        database_url: cli.database_url.clone(),
        public_url,
    };
    let config = config::load(cli.config.as_deref(), &overrides)?;
    match cli.command {
        Command::DefaultConfig => {
            print!("{}", config::default_file_text()?);
            Ok(ExitCode::SUCCESS)
        }
        Command::Openapi => {
            let doc = askaround_server::api::openapi_document();
            println!("{}", serde_json::to_string_pretty(&doc)?);
            Ok(ExitCode::SUCCESS)
        }
        Command::Taxonomy(TaxonomyCommand::Build {
            onet,
            stackexchange,
            curated,
        }) => {
            let stackexchange = stackexchange
                .iter()
                .map(|arg| {
                    arg.split_once('=')
                        .map(|(t, d)| (t.to_owned(), PathBuf::from(d)))
                        .with_context(|| {
                            format!("--stackexchange '{arg}' should be TOPIC=DUMP_DIR")
                        })
                })
                .collect::<Result<Vec<_>>>()?;
            print!(
                "{}",
                taxonomy_cmd::build(&taxonomy_cmd::BuildArgs {
                    onet,
                    stackexchange,
                    curated
                })?
            );
            Ok(ExitCode::SUCCESS)
        }
        Command::EvalRouting(command) => {
            let command = match command {
                EvalCommand::Pmef { dir, split, format } => askaround_eval::EvalCommand::Pmef {
                    dir,
                    split,
                    json: format == Format::Json,
                },
                EvalCommand::Stackexchange { dir, format } => {
                    askaround_eval::EvalCommand::StackExchange {
                        dir,
                        json: format == Format::Json,
                    }
                }
                EvalCommand::TunePmef { dir, split } => {
                    askaround_eval::EvalCommand::TunePmef { dir, split }
                }
            };
            // Evaluation is CPU-bound and synchronous; keep it off the async workers.
            let output =
                tokio::task::spawn_blocking(move || askaround_eval::run(command)).await??;
            println!("{output}");
            Ok(ExitCode::SUCCESS)
        }
        Command::Serve {
            demo, demo_args, ..
        } => {
            init_logging(&config)?;
            serve(&config, demo.then_some(demo_args)).await?;
            Ok(ExitCode::SUCCESS)
        }
        Command::Demo { demo_args } => {
            config.prepare_database_dir()?;
            let store = store::open(&config.database_url).await?;
            let info =
                demo::ensure(&store, &demo_options(&demo_args), demo_args.demo_password).await?;
            print_demo(&info, &config);
            Ok(ExitCode::SUCCESS)
        }
        Command::Import {
            file,
            org,
            skip_invalid,
            dry_run,
            timezone,
        } => {
            config.prepare_database_dir()?;
            let store = store::open(&config.database_url).await?;
            let options = ImportOptions {
                skip_invalid,
                dry_run,
                uploader: None,
            };
            let ok =
                import_cmd::import(&store, &file, org.as_deref(), timezone.as_deref(), options)
                    .await?;
            Ok(if ok {
                ExitCode::SUCCESS
            } else {
                ExitCode::FAILURE
            })
        }
        Command::Org(OrgCommand::Create {
            name,
            admin_email,
            admin_name,
            timezone,
        }) => {
            config.prepare_database_dir()?;
            let store = store::open(&config.database_url).await?;
            let args = org_cmd::CreateOrg {
                name,
                admin_email,
                admin_name,
                timezone,
            };
            org_cmd::create(
                &store,
                &args,
                config.public_url.as_deref(),
                config.server().invitation_ttl,
            )
            .await?;
            Ok(ExitCode::SUCCESS)
        }
        Command::MigrateData { from, to } => {
            let summary = askaround_postgres::migrate_data::migrate_data(&from, &to).await?;
            print!("{summary}");
            Ok(ExitCode::SUCCESS)
        }
        Command::Org(OrgCommand::Invite { email, org }) => {
            let store = store::open(&config.database_url).await?;
            let ttl = config.server().invitation_ttl;
            org_cmd::invite(
                &store,
                &email,
                org.as_deref(),
                config.public_url.as_deref(),
                ttl,
            )
            .await?;
            Ok(ExitCode::SUCCESS)
        }
    }
}

fn demo_options(args: &DemoArgs) -> DemoOptions {
    DemoOptions {
        people: args.people,
        seed: args.seed,
    }
}

fn print_demo(info: &demo::DemoInfo, config: &config::Config) {
    let url = config.public_url.clone().unwrap_or_else(|| {
        format!(
            "http://{}",
            config
                .listen
                .replace("0.0.0.0", "localhost")
                .replace("127.0.0.1", "localhost")
        )
    });
    println!(
        "\nDemo organisation: {} ({} people{})\n  open      {url}\n  admin     {ADMIN_EMAIL}\n  member    {MEMBER_EMAIL}\n  password  {}\n",
        info.org.name,
        info.people,
        if info.created { ", just created" } else { "" },
        info.password
    );
}

async fn serve(config: &config::Config, demo: Option<DemoArgs>) -> Result<()> {
    config.prepare_database_dir()?;
    let store = store::open(&config.database_url).await?;
    tracing::info!(database = %config::redact_url(&config.database_url), "database ready");
    if let Some(args) = demo {
        let info = demo::ensure(&store, &demo_options(&args), args.demo_password).await?;
        print_demo(&info, config);
    }
    let listener = TcpListener::bind(&config.listen)
        .await
        .with_context(|| format!("listening on {}", config.listen))?;
    tracing::info!(address = %listener.local_addr()?, "askaround is serving");
    askaround_server::serve(store, config.server(), listener, shutdown_signal()).await?;
    tracing::info!("stopped");
    Ok(())
}

/// Resolves on Ctrl-C or SIGTERM; the server then finishes in-flight requests.
async fn shutdown_signal() {
    let ctrl_c = async {
        if let Err(e) = tokio::signal::ctrl_c().await {
            tracing::warn!(error = %e, "cannot listen for Ctrl-C");
            std::future::pending::<()>().await;
        }
    };
    #[cfg(unix)]
    let terminate = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut signal) => {
                signal.recv().await;
            }
            Err(e) => {
                tracing::warn!(error = %e, "cannot listen for SIGTERM");
                std::future::pending::<()>().await;
            }
        }
    };
    #[cfg(not(unix))]
    let terminate = std::future::pending::<()>();
    tokio::select! {
        () = ctrl_c => {},
        () = terminate => {},
    }
    tracing::info!("shutting down");
}

fn init_logging(config: &config::Config) -> Result<()> {
    use tracing_subscriber::EnvFilter;
    let filter = EnvFilter::try_from_default_env()
        .or_else(|_| EnvFilter::try_new(&config.log_level))
        .context("log_level")?;
    let builder = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(std::io::stderr);
    let result = if config.log_format == "json" {
        builder.json().try_init()
    } else {
        builder.try_init()
    };
    result.map_err(|e| anyhow::anyhow!("logging: {e}"))
}
