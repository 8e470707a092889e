/// Errors loading images into a Docker engine or a kind cluster.
public enum DaemonError: Error, CustomStringConvertible, Sendable {
    /// DOCKER_HOST names something this client cannot talk to.
    case unsupportedHost(String, reason: String)
    /// Nothing answered at the endpoint.
    case unreachable(endpoint: String, reason: String)
    /// The engine answered a request with an error status.
    case rejected(endpoint: String, operation: String, status: Int, message: String)
    /// The engine reported an error while loading the tarball.
    case loadFailed(endpoint: String, message: String)
    /// The load succeeded but the engine does not know the image afterwards.
    case imageMissingAfterLoad(endpoint: String, reference: String)
    /// Nothing to load.
    case noImages
    /// `kind.local` without a `kind` command.
    case kindNotFound(cluster: String)
    /// `kind load image-archive` failed.
    case kindFailed(cluster: String, status: Int32, output: String)

    public var description: String {
        switch self {
        case let .unsupportedHost(host, reason):
            return "cannot use DOCKER_HOST=\(host): \(reason)"
        case let .unreachable(endpoint, reason):
            return "no Docker engine answers at \(endpoint) (\(reason)); start Docker or "
                + "'podman system service', or point DOCKER_HOST at the engine's socket, "
                + "e.g. DOCKER_HOST=unix:///run/podman/podman.sock"
        case let .rejected(endpoint, operation, status, message):
            return "the Docker engine at \(endpoint) refused to \(operation) (HTTP \(status)): \(message)"
        case let .loadFailed(endpoint, message):
            return "the Docker engine at \(endpoint) could not load the image: \(message)"
        case let .imageMissingAfterLoad(endpoint, reference):
            return "the Docker engine at \(endpoint) accepted the image but does not list \(reference); "
                + "check the engine's log"
        case .noImages:
            return "no images were given to load"
        case let .kindNotFound(cluster):
            return "kind.local loads images into the kind cluster '\(cluster)' with the 'kind' command, "
                + "which is not on PATH: install kind (https://kind.sigs.k8s.io) or push to a registry "
                + "with KO_DOCKER_REPO"
        case let .kindFailed(cluster, status, output):
            let detail = output.isEmpty ? "" : ": \(output)"
            return "kind could not load the image into cluster '\(cluster)' (exit status \(status))\(detail); "
                + "check that the cluster exists ('kind get clusters') and KIND_CLUSTER_NAME names it"
        }
    }
}
