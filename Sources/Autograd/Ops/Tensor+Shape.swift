/// Operations that rearrange elements: reshape (free), permute, concatenate, slice, gather.
extension Tensor {
    /// The same elements under a new shape; one dimension may be `-1` (inferred). Shares storage.
    public func reshape(_ newShape: [Int]) -> Tensor {
        var target = newShape
        if let hole = target.firstIndex(of: -1) {
            let known = target.enumerated().filter { $0.offset != hole }.map(\.element).reduce(1, *)
            precondition(known > 0 && count % known == 0, "cannot reshape \(shape) to \(newShape)")
            target[hole] = count / known
        }
        precondition(target.reduce(1, *) == count, "cannot reshape \(shape) to \(newShape)")
        if target == shape { return self }
        let inputShape = shape
        return Tensor(shape: target, storage: storage).recorded(from: [self]) { [self] g in
            accumulateGrad(g.reshape(inputShape))
        }
    }

    /// Inserts a dimension of size 1 at `axis`.
    public func unsqueeze(_ axis: Int) -> Tensor {
        let a = axis < 0 ? axis + rank + 1 : axis
        var s = shape
        s.insert(1, at: a)
        return reshape(s)
    }

    /// Removes the dimension of size 1 at `axis`.
    public func squeeze(_ axis: Int) -> Tensor {
        let a = normalizedAxis(axis)
        precondition(shape[a] == 1, "squeeze of axis \(axis) of size \(shape[a])")
        var s = shape
        s.remove(at: a)
        return reshape(s)
    }

    /// Dimensions reordered: result dimension `i` is input dimension `dims[i]` (a copy).
    public func permute(_ dims: [Int]) -> Tensor {
        precondition(dims.sorted() == Array(0..<rank), "permute(\(dims)) of a rank-\(rank) tensor")
        if dims == Array(0..<rank) { return self }
        let strides = contiguousStrides(shape)
        let out = Tensor(uninitializedShape: dims.map { shape[$0] })
        stridedCopy(
            storage.base, srcStrides: dims.map { strides[$0] }, shape: out.shape,
            into: out.storage.base)
        var inverse = [Int](repeating: 0, count: rank)
        for (i, d) in dims.enumerated() { inverse[d] = i }
        return out.recorded(from: [self]) { [self] g in accumulateGrad(g.permute(inverse)) }
    }

    /// Dimensions `a` and `b` swapped (a copy).
    public func transpose(_ a: Int, _ b: Int) -> Tensor {
        var dims = Array(0..<rank)
        dims.swapAt(normalizedAxis(a), normalizedAxis(b))
        return permute(dims)
    }

    /// Sizes around `axis`: the tensor read as `[outer, shape[axis], inner]`.
    func split3(_ axis: Int) -> (outer: Int, n: Int, inner: Int) {
        (shape[..<axis].reduce(1, *), shape[axis], shape[(axis + 1)...].reduce(1, *))
    }

    /// Tensors joined along `axis`; all other dimensions must agree.
    public static func concat(_ tensors: [Tensor], axis: Int) -> Tensor {
        precondition(!tensors.isEmpty, "concat of no tensors")
        let first = tensors[0]
        let ax = first.normalizedAxis(axis)
        for t in tensors {
            precondition(
                t.rank == first.rank
                    && (0..<t.rank).allSatisfy { $0 == ax || t.shape[$0] == first.shape[$0] },
                "concat along \(axis) of shapes \(tensors.map(\.shape))")
        }
        var shape = first.shape
        shape[ax] = tensors.map { $0.shape[ax] }.reduce(0, +)
        let out = Tensor(uninitializedShape: shape)
        let (outer, total, inner) = out.split3(ax)
        var offset = 0
        for t in tensors {
            let width = t.shape[ax] * inner
            for o in 0..<outer {
                (out.storage.base + o * total * inner + offset).update(
                    from: t.storage.base + o * width, count: width)
            }
            offset += width
        }
        let sizes = tensors.map { $0.shape[ax] }
        return out.recorded(from: tensors) { g in
            var start = 0
            for (t, size) in zip(tensors, sizes) {
                if t.requiresGrad { t.accumulateGrad(g.slice(axis: ax, start..<start + size)) }
                start += size
            }
        }
    }

    /// Tensors of one shape stacked along a new dimension `axis`.
    public static func stack(_ tensors: [Tensor], axis: Int = 0) -> Tensor {
        precondition(!tensors.isEmpty, "stack of no tensors")
        let a = axis < 0 ? axis + tensors[0].rank + 1 : axis
        return concat(tensors.map { $0.unsqueeze(a) }, axis: a)
    }

    /// The elements with index in `range` along `axis` (a copy).
    public func slice(axis: Int, _ range: Range<Int>) -> Tensor {
        let ax = normalizedAxis(axis)
        precondition(
            range.lowerBound >= 0 && range.upperBound <= shape[ax],
            "slice \(range) of axis \(axis) of size \(shape[ax])")
        var outShape = shape
        outShape[ax] = range.count
        let out = Tensor(uninitializedShape: outShape)
        let (outer, n, inner) = split3(ax)
        let width = range.count * inner
        for o in 0..<outer {
            (out.storage.base + o * width).update(
                from: storage.base + (o * n + range.lowerBound) * inner, count: width)
        }
        return out.recorded(from: [self]) { [self] g in accumulateGrad(g, axis: ax, range: range) }
    }

    /// Consecutive pieces along `axis` with the given sizes.
    public func split(axis: Int, sizes: [Int]) -> [Tensor] {
        precondition(
            sizes.reduce(0, +) == dim(axis), "split sizes \(sizes) of axis of size \(dim(axis))")
        var start = 0
        return sizes.map { size in
            defer { start += size }
            return slice(axis: axis, start..<start + size)
        }
    }

    /// Rows (entries along dimension 0) picked by `indices`, repeats allowed; an index of −1
    /// gives a row of zeros (padding, as `PackedSequences.padded` lays out). The gradient of a repeated
    /// row is the sum over its copies.
    public func indexSelect(rows indices: [Int]) -> Tensor {
        let rowSize = count / Swift.max(shape[0], 1)
        var outShape = shape
        outShape[0] = indices.count
        let out = Tensor(uninitializedShape: outShape)
        for (i, r) in indices.enumerated() {
            precondition(
                r >= -1 && r < shape[0],
                "row \(r) out of range 0..<\(shape[0]) (or −1 for zeros)")
            let target = out.storage.base + i * rowSize
            if r < 0 {
                target.update(repeating: 0, count: rowSize)
            } else {
                target.update(from: storage.base + r * rowSize, count: rowSize)
            }
        }
        let inputShape = shape
        return out.recorded(from: [self]) { [self] g in
            let full = Tensor.zeros(inputShape)
            for (i, r) in indices.enumerated() where r >= 0 {
                let dst = full.storage.base + r * rowSize
                let src = g.storage.base + i * rowSize
                for j in 0..<rowSize { dst[j] += src[j] }
            }
            accumulateGrad(full)
        }
    }
}
