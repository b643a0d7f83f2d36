//! Serving until SIGTERM or SIGINT, then stopping gracefully: no new connections, requests in
//! flight answered, a running scheduled job left to finish, all within [`BOUND`]; then what
//! is left is stopped and the server says "drydock serve stopped".

use std::net::{SocketAddr, TcpListener};
use std::sync::Arc;
use std::time::Duration;

use axum::Router;
use axum_server::Handle;
use axum_server::tls_rustls::RustlsConfig;
use drydock_engine::job_runner::JobRunner;
use tokio::sync::watch;

use crate::scheduler::Scheduler;
use crate::{ServeError, Shared};

/// How long requests in flight and a running job get once a stop is asked.
pub(crate) const BOUND: Duration = Duration::from_secs(10);

/// Serve `router` on `listener` (over TLS with `tls`) and run the scheduled jobs with `jobs`,
/// until a stop signal; then stop within [`BOUND`].
pub(crate) fn serve_until_stopped(
    app: Arc<Shared>,
    router: Router,
    listener: TcpListener,
    tls: Option<RustlsConfig>,
    jobs: Option<JobRunner>,
) -> Result<(), ServeError> {
    let (stop, stopped) = watch::channel(false);
    ctrlc::set_handler(move || {
        // The receivers live as long as the server; after it there is nothing to stop.
        let _ = stop.send(true);
    })
    .map_err(|e| ServeError::Setup(format!("cannot handle SIGTERM and SIGINT: {e}")))?;
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .map_err(ServeError::Runtime)?;
    let events = app.events;
    let service = router.into_make_service_with_connect_info::<SocketAddr>();
    let handle: Handle<SocketAddr> = Handle::new();
    let served = runtime.block_on(async {
        let scheduler = jobs.map(|runner| Scheduler::start(app.clone(), runner, stopped.clone()));
        let server = {
            let handle = handle.clone();
            tokio::spawn(async move {
                match tls {
                    Some(config) => {
                        axum_server::tls_rustls::from_tcp_rustls(listener, config)?
                            .handle(handle)
                            .serve(service)
                            .await
                    }
                    None => {
                        axum_server::from_tcp(listener)?
                            .handle(handle)
                            .serve(service)
                            .await
                    }
                }
            })
        };
        let mut signal = stopped.clone();
        let mut server = server;
        tokio::select! {
            ended = &mut server => {
                // The server ended by itself: an error while serving.
                return ended.unwrap_or_else(|e| Err(std::io::Error::other(e)));
            }
            _ = signal.wait_for(|stop| *stop) => {}
        }
        events.info(&format!(
            "drydock serve stopping: requests in flight and a running job get {} s",
            BOUND.as_secs()
        ));
        handle.graceful_shutdown(Some(BOUND));
        if let Some(scheduler) = scheduler {
            scheduler.stopped(BOUND).await;
        }
        match tokio::time::timeout(BOUND + Duration::from_secs(1), server).await {
            Ok(Ok(result)) => result,
            Ok(Err(e)) => Err(std::io::Error::other(e)),
            // Connections that outlived the bound are closed with the runtime.
            Err(_) => Ok(()),
        }
    });
    // Blocking work still running (a database call of a request cut off) is not waited for.
    runtime.shutdown_timeout(Duration::from_secs(1));
    served.map_err(ServeError::Runtime)?;
    events.info("drydock serve stopped");
    Ok(())
}
