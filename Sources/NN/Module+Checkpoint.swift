import Autograd
import HDF5

/// Saving and loading every parameter and buffer as one HDF5 dataset each, named by its
/// `state_dict` key, float32 with the tensor's shape. A PyTorch model exports to the same
/// layout with a few lines of h5py (`Tests/Fixtures/Reference/make_torch_reference.py`).
extension Module {
    public func save(to path: String) throws {
        let file = try HDF5File(path: path, mode: .create)
        for (key, tensor) in stateDict() {
            try tensor.withUnsafeBufferPointer {
                try file.write(key, floats: $0, shape: tensor.shape)
            }
        }
    }

    /// Loads every parameter and buffer in place. Strict, as PyTorch's `load_state_dict`:
    /// a missing, misshapen or unexpected entry is an error naming each of them, and nothing
    /// is changed unless everything fits.
    /// `group` names an HDF5 group holding the entries ("/" for the file's root).
    public func load(from path: String, group: String = "/") throws {
        let file = try HDF5File(path: path, mode: .read)
        let state = stateDict()
        let prefix = group == "/" ? "" : group + "/"
        var problems: [String] = []
        var loaded: [(Tensor, [Float])] = []
        for (key, tensor) in state {
            guard file.contains(prefix + key) else {
                problems.append("missing \(key) (expected shape \(tensor.shape))")
                continue
            }
            let (values, shape) = try file.readFloats(prefix + key)
            // A 0-d PyTorch scalar (num_batches_tracked) may be stored as shape [] or [1].
            guard shape == tensor.shape || (shape.reduce(1, *) == 1 && tensor.count == 1) else {
                problems.append("\(key) has shape \(shape), expected \(tensor.shape)")
                continue
            }
            loaded.append((tensor, values))
        }
        let expected = Set(state.map(\.key))
        for name in try allDatasetNames(file, group: group).map({
            String($0.dropFirst(prefix.count))
        })
        where !expected.contains(name) {
            problems.append("unexpected \(name)")
        }
        guard problems.isEmpty else { throw CheckpointError(path: path, problems: problems) }
        for (tensor, values) in loaded {
            tensor.withUnsafeMutableBufferPointer { _ = $0.update(fromContentsOf: values) }
        }
    }

    private func allDatasetNames(_ file: HDF5File, group: String = "/") throws -> [String] {
        var result: [String] = []
        for name in try file.names(in: group) {
            let full = group == "/" ? name : "\(group)/\(name)"
            if (try? file.shape(of: full)) != nil {
                result.append(full)
            } else {
                result += try allDatasetNames(file, group: full)
            }
        }
        return result
    }
}
