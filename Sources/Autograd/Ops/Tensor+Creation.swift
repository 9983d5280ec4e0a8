extension Tensor {
    /// A tensor with every element equal to `value`.
    public static func full(_ shape: [Int], _ value: Float, requiresGrad: Bool = false) -> Tensor {
        let t = Tensor(uninitializedShape: shape)
        t.storage.buffer.initialize(repeating: value)
        t.requiresGrad = requiresGrad
        return t
    }

    public static func zeros(_ shape: [Int], requiresGrad: Bool = false) -> Tensor {
        full(shape, 0, requiresGrad: requiresGrad)
    }

    public static func ones(_ shape: [Int], requiresGrad: Bool = false) -> Tensor {
        full(shape, 1, requiresGrad: requiresGrad)
    }

    /// Independent draws from N(mean, std²).
    public static func normal(
        _ shape: [Int], mean: Float = 0, std: Float = 1, generator: Generator,
        requiresGrad: Bool = false
    ) -> Tensor {
        let t = Tensor(uninitializedShape: shape)
        let p = t.storage.base
        for i in 0..<t.count { p[i] = mean + std * Float(generator.normal()) }
        t.requiresGrad = requiresGrad
        return t
    }

    /// Independent draws from U(low, high).
    public static func uniform(
        _ shape: [Int], low: Float = 0, high: Float = 1, generator: Generator,
        requiresGrad: Bool = false
    ) -> Tensor {
        let t = Tensor(uninitializedShape: shape)
        let p = t.storage.base
        let width = high - low
        for i in 0..<t.count { p[i] = low + width * generator.uniformFloat() }
        t.requiresGrad = requiresGrad
        return t
    }

    /// `0, 1, ..., n-1` as floats.
    public static func arange(_ n: Int) -> Tensor {
        let t = Tensor(uninitializedShape: [n])
        for i in 0..<n { t.storage.base[i] = Float(i) }
        return t
    }
}
