use clap::Parser;

fn main() -> anyhow::Result<()> {
    let cli = cadre_api::config::Cli::parse();
    cadre_api::telemetry::init(cli.config.log_format);
    actix_web::rt::System::new().block_on(cadre_api::run(cli))
}
