//! Asking several arrays at once. Each array is asked in a task of its own under a deadline
//! of its own, so one slow or dead array never holds the others back: it comes back as
//! failing when its deadline passes, whatever its client's timeouts and retries would do.

use std::time::Duration;

use flasharray::ArrayClient;

/// The deadline each array gets unless configured otherwise.
pub const DEFAULT_ARRAY_DEADLINE: Duration = Duration::from_secs(5);

/// One array's answer.
#[derive(Debug)]
pub struct ArrayAnswer<T> {
    pub array: String,
    /// The array's own error, or that it did not answer in time, as a message.
    pub result: Result<T, String>,
}

/// Runs `work` on every client at once and gives each answer in the clients' order. The
/// request id of the calling task goes with every call.
pub async fn each_array<T, F, Fut>(
    clients: Vec<ArrayClient>,
    deadline: Duration,
    work: F,
) -> Vec<ArrayAnswer<T>>
where
    T: Send + 'static,
    F: Fn(ArrayClient) -> Fut,
    Fut: Future<Output = Result<T, flasharray::Error>> + Send + 'static,
{
    let request_id = flasharray::current_request_id();
    let mut tasks = tokio::task::JoinSet::new();
    let names: Vec<String> = clients
        .iter()
        .map(|client| client.name().to_owned())
        .collect();
    for (index, client) in clients.into_iter().enumerate() {
        let asked = work(client);
        let request_id = request_id.clone();
        tasks.spawn(async move {
            let timed = tokio::time::timeout(deadline, asked);
            let outcome = match request_id {
                Some(id) => flasharray::with_request_id(id, timed).await,
                None => timed.await,
            };
            let result = match outcome {
                Ok(Ok(value)) => Ok(value),
                Ok(Err(error)) => Err(error.to_string()),
                Err(_) => Err(format!("no answer within {} s", deadline.as_secs_f64())),
            };
            (index, result)
        });
    }
    let mut results: Vec<Option<Result<T, String>>> = names.iter().map(|_| None).collect();
    while let Some(joined) = tasks.join_next().await {
        match joined {
            Ok((index, result)) => results[index] = Some(result),
            Err(error) => tracing::error!(%error, "an array task failed"),
        }
    }
    names
        .into_iter()
        .zip(results)
        .map(|(array, result)| ArrayAnswer {
            array,
            result: result.unwrap_or_else(|| Err("the task asking it failed".to_owned())),
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use flasharray::{ClientConfig, Credentials, TrustAnchor};
    use std::time::Instant;

    fn client(name: &str) -> ArrayClient {
        let config = ClientConfig::new(
            name,
            &format!("https://{name}.invalid"),
            Credentials::ApiToken("unused".into()),
            TrustAnchor::System,
        );
        ArrayClient::new(config).expect("client")
    }

    #[tokio::test]
    async fn a_slow_array_fails_at_its_deadline_without_holding_the_others() {
        let clients = vec![client("fast"), client("slow"), client("quick")];
        let started = Instant::now();
        let answers = each_array(clients, Duration::from_millis(200), |client| async move {
            if client.name() == "slow" {
                tokio::time::sleep(Duration::from_secs(30)).await;
            }
            Ok(client.name().len())
        })
        .await;
        assert!(started.elapsed() < Duration::from_secs(5));
        let arrays: Vec<&str> = answers.iter().map(|answer| answer.array.as_str()).collect();
        assert_eq!(arrays, ["fast", "slow", "quick"]);
        assert_eq!(answers[0].result, Ok(4));
        assert_eq!(answers[1].result, Err("no answer within 0.2 s".to_owned()));
        assert_eq!(answers[2].result, Ok(5));
    }
}
