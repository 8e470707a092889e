/// AWS endpoint overrides from the environment
/// (https://docs.aws.amazon.com/sdkref/latest/guide/feature-ss-endpoints.html):
/// `AWS_ENDPOINT_URL_<SERVICE>` wins over `AWS_ENDPOINT_URL`, and
/// `AWS_IGNORE_CONFIGURED_ENDPOINT_URLS=true` ignores both.
enum AWSEndpoints {
    /// The endpoint for a service, by its environment name (`ECR`,
    /// `ECR_PUBLIC`, `STS`), or `fallback` when nothing overrides it.
    static func url(service: String, environment: CloudEnvironment, fallback: String) -> String {
        guard !environment.isTrue("AWS_IGNORE_CONFIGURED_ENDPOINT_URLS") else { return fallback }
        let chosen = environment["AWS_ENDPOINT_URL_\(service)"] ?? environment["AWS_ENDPOINT_URL"] ?? fallback
        return chosen.hasSuffix("/") ? String(chosen.dropLast()) : chosen
    }
}
