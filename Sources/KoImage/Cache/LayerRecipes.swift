import Foundation

/// How each layer a `LayerCache` gave out in this run can be made again from
/// its source (a binary, a kodata tree), for when its blob turns out damaged
/// after it was chosen (see `LayerCache.repairDamagedLayer`).
///
/// A recipe holds paths and settings, not bytes; one per layer digest, the
/// last recorded winning (any of them makes the same bytes).
final class LayerRecipes: @unchecked Sendable {
    /// One way to make a layer: `build` writes it into the directory given.
    struct Recipe {
        let compression: LayerCompression
        let build: (_ directory: String) throws -> Layer
    }

    private let lock = NSLock()
    private var recipes: [Digest: Recipe] = [:]
    /// Held through a repair, so that two uploads finding the same damage
    /// mend it once: the second finds the cache's copy intact again.
    let repairLock = NSLock()

    func record(_ recipe: Recipe, for digest: Digest) {
        lock.withLock { recipes[digest] = recipe }
    }

    func recipe(for digest: Digest) -> Recipe? {
        lock.withLock { recipes[digest] }
    }
}
