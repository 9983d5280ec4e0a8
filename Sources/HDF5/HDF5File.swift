internal import CHDF5

/// One open HDF5 file. Datasets are addressed by path (`"features/audio"`, or a flat name such
/// as `"text.lstm.weight_ih_l0"`); intermediate groups are created on write. Every handle is
/// closed by the owning object's `deinit`.
///
/// Only the few element types the package stores: 32-bit floats (64-bit floats are converted
/// on read), 64-bit integers and variable-length UTF-8 strings; string attributes for metadata.
public final class HDF5File {
    public enum Mode: Sendable {
        case read
        case readWrite
        /// Creates the file, replacing any file at the path.
        case create
    }

    public let path: String
    private let id: hid_t

    public init(path: String, mode: Mode) throws {
        chdf5_silence_errors()
        self.path = path
        let id: hid_t
        switch mode {
        case .read: id = H5Fopen(path, chdf5_acc_rdonly(), chdf5_p_default())
        case .readWrite: id = H5Fopen(path, chdf5_acc_rdwr(), chdf5_p_default())
        case .create: id = H5Fcreate(path, chdf5_acc_trunc(), chdf5_p_default(), chdf5_p_default())
        }
        guard id >= 0 else {
            throw HDF5Error(
                path: path, object: "",
                message: mode == .create
                    ? "cannot create the file"
                    : "cannot open as an HDF5 file (missing, unreadable or not HDF5)")
        }
        self.id = id
    }

    deinit { H5Fclose(id) }

    // MARK: - Datasets

    /// Writes `values` (row-major, `shape`) as a float32 dataset, replacing none: the name must be
    /// new.
    public func write(
        _ name: String, floats values: UnsafeBufferPointer<Float>, shape: [Int]
    ) throws {
        try write(
            name, type: chdf5_native_float(), shape: shape, count: values.count,
            data: values.baseAddress)
    }

    public func write(_ name: String, floats values: [Float], shape: [Int]) throws {
        try values.withUnsafeBufferPointer { try write(name, floats: $0, shape: shape) }
    }

    public func write(_ name: String, int64s values: [Int64], shape: [Int]) throws {
        try values.withUnsafeBufferPointer {
            try write(
                name, type: chdf5_native_int64(), shape: shape, count: $0.count,
                data: $0.baseAddress)
        }
    }

    /// Writes a 1-D dataset of variable-length UTF-8 strings (h5py reads them as `str`/`bytes`).
    public func write(_ name: String, strings: [String]) throws {
        let type = try stringType(name)
        defer { H5Tclose(type) }
        var pointers: [UnsafeMutablePointer<CChar>?] = strings.map { strdup($0) }
        defer { for pointer in pointers { free(pointer) } }
        try pointers.withUnsafeMutableBufferPointer {
            try write(
                name, type: type, shape: [strings.count], count: strings.count,
                data: UnsafeRawPointer($0.baseAddress))
        }
    }

    private func write(
        _ name: String, type: hid_t, shape: [Int], count: Int, data: UnsafeRawPointer?
    ) throws {
        guard shape.reduce(1, *) == count else {
            throw HDF5Error(path: path, object: name, message: "\(count) values for shape \(shape)")
        }
        var dims = shape.map { hsize_t($0) }
        let space = H5Screate_simple(Int32(dims.count), &dims, nil)
        guard space >= 0 else {
            throw HDF5Error(
                path: path, object: name, message: "cannot create a dataspace of shape \(shape)")
        }
        defer { H5Sclose(space) }
        let linkProperties = H5Pcreate(chdf5_p_link_create())
        defer { H5Pclose(linkProperties) }
        H5Pset_create_intermediate_group(linkProperties, 1)
        let dataset = H5Dcreate2(
            id, name, type, space, linkProperties, chdf5_p_default(), chdf5_p_default())
        guard dataset >= 0 else {
            throw HDF5Error(
                path: path, object: name,
                message: contains(name) ? "already exists" : "cannot create the dataset")
        }
        defer { H5Dclose(dataset) }
        if count > 0,
            H5Dwrite(dataset, type, chdf5_s_all(), chdf5_s_all(), chdf5_p_default(), data) < 0
        {
            throw HDF5Error(path: path, object: name, message: "write failed")
        }
    }

    /// Whether a link (dataset or group) exists at `name`; intermediate groups are checked first.
    public func contains(_ name: String) -> Bool {
        var prefix = ""
        for part in name.split(separator: "/") {
            prefix += prefix.isEmpty ? String(part) : "/\(part)"
            if H5Lexists(id, prefix, chdf5_p_default()) <= 0 { return false }
        }
        return !prefix.isEmpty
    }

    /// The dimensions of a dataset.
    public func shape(of name: String) throws -> [Int] {
        let dataset = try openDataset(name)
        defer { H5Dclose(dataset) }
        return try datasetShape(dataset, name)
    }

    /// A dataset's values as float32 (float64 and integer datasets are converted by HDF5), with its
    /// shape.
    public func readFloats(_ name: String) throws -> (values: [Float], shape: [Int]) {
        let dataset = try openDataset(name)
        defer { H5Dclose(dataset) }
        let shape = try datasetShape(dataset, name)
        try expectClass(dataset, [H5T_FLOAT, H5T_INTEGER], name, "a numeric dataset")
        var values = [Float](repeating: 0, count: shape.reduce(1, *))
        if !values.isEmpty {
            let status = values.withUnsafeMutableBytes {
                H5Dread(
                    dataset, chdf5_native_float(), chdf5_s_all(), chdf5_s_all(), chdf5_p_default(),
                    $0.baseAddress)
            }
            guard status >= 0 else {
                throw HDF5Error(path: path, object: name, message: "read failed")
            }
        }
        return (values, shape)
    }

    public func readInt64s(_ name: String) throws -> (values: [Int64], shape: [Int]) {
        let dataset = try openDataset(name)
        defer { H5Dclose(dataset) }
        let shape = try datasetShape(dataset, name)
        try expectClass(dataset, [H5T_INTEGER], name, "an integer dataset")
        var values = [Int64](repeating: 0, count: shape.reduce(1, *))
        if !values.isEmpty {
            let status = values.withUnsafeMutableBytes {
                H5Dread(
                    dataset, chdf5_native_int64(), chdf5_s_all(), chdf5_s_all(), chdf5_p_default(),
                    $0.baseAddress)
            }
            guard status >= 0 else {
                throw HDF5Error(path: path, object: name, message: "read failed")
            }
        }
        return (values, shape)
    }

    public func readStrings(_ name: String) throws -> [String] {
        let dataset = try openDataset(name)
        defer { H5Dclose(dataset) }
        let shape = try datasetShape(dataset, name)
        try expectClass(dataset, [H5T_STRING], name, "a string dataset")
        let type = try stringType(name)
        defer { H5Tclose(type) }
        var pointers = [UnsafeMutablePointer<CChar>?](repeating: nil, count: shape.reduce(1, *))
        guard !pointers.isEmpty else { return [] }
        let status = pointers.withUnsafeMutableBytes {
            H5Dread(dataset, type, chdf5_s_all(), chdf5_s_all(), chdf5_p_default(), $0.baseAddress)
        }
        guard status >= 0 else {
            throw HDF5Error(
                path: path, object: name, message: "read failed (not variable-length strings?)")
        }
        defer { for pointer in pointers { free(pointer) } }
        return pointers.map { $0.map { String(cString: $0) } ?? "" }
    }

    /// The names of the links (datasets and groups) directly in `group` ("/" for the root), sorted.
    public func names(in group: String = "/") throws -> [String] {
        final class Names { var list: [String] = [] }
        let names = Names()
        let location = group == "/" ? id : H5Gopen2(id, group, chdf5_p_default())
        guard location >= 0 else {
            throw HDF5Error(path: path, object: group, message: "no such group")
        }
        defer { if location != id { H5Gclose(location) } }
        var index: hsize_t = 0
        let status = H5Literate(
            location, H5_INDEX_NAME, H5_ITER_INC, &index,
            { _, name, _, context in
                guard let name, let context else { return 0 }
                Unmanaged<Names>.fromOpaque(context).takeUnretainedValue().list.append(
                    String(cString: name))
                return 0
            }, Unmanaged.passUnretained(names).toOpaque())
        guard status >= 0 else {
            throw HDF5Error(path: path, object: group, message: "cannot list")
        }
        return names.list.sorted()
    }

    // MARK: - Attributes

    /// Sets a string attribute on the file's root group (or on `object`).
    public func setAttribute(_ name: String, _ value: String, on object: String = "/") throws {
        let type = try stringType(name)
        defer { H5Tclose(type) }
        let space = H5Screate(H5S_SCALAR)
        defer { H5Sclose(space) }
        if H5Aexists_by_name(id, object, name, chdf5_p_default()) > 0 {
            H5Adelete_by_name(id, object, name, chdf5_p_default())
        }
        let attribute = H5Acreate_by_name(
            id, object, name, type, space, chdf5_p_default(), chdf5_p_default(), chdf5_p_default())
        guard attribute >= 0 else {
            throw HDF5Error(
                path: path, object: "\(object)@\(name)", message: "cannot create the attribute")
        }
        defer { H5Aclose(attribute) }
        var pointer: UnsafeMutablePointer<CChar>? = strdup(value)
        defer { free(pointer) }
        guard H5Awrite(attribute, type, &pointer) >= 0 else {
            throw HDF5Error(path: path, object: "\(object)@\(name)", message: "write failed")
        }
    }

    /// A string attribute, or nil when absent.
    public func attribute(_ name: String, of object: String = "/") throws -> String? {
        guard H5Aexists_by_name(id, object, name, chdf5_p_default()) > 0 else { return nil }
        let attribute = H5Aopen_by_name(id, object, name, chdf5_p_default(), chdf5_p_default())
        guard attribute >= 0 else {
            throw HDF5Error(
                path: path, object: "\(object)@\(name)", message: "cannot open the attribute")
        }
        defer { H5Aclose(attribute) }
        let type = try stringType(name)
        defer { H5Tclose(type) }
        var pointer: UnsafeMutablePointer<CChar>?
        guard H5Aread(attribute, type, &pointer) >= 0 else {
            throw HDF5Error(
                path: path, object: "\(object)@\(name)",
                message: "not a variable-length string attribute")
        }
        defer { free(pointer) }
        return pointer.map { String(cString: $0) }
    }

    // MARK: - Helpers

    private func openDataset(_ name: String) throws -> hid_t {
        guard contains(name) else {
            throw HDF5Error(path: path, object: name, message: "no such dataset")
        }
        let dataset = H5Dopen2(id, name, chdf5_p_default())
        guard dataset >= 0 else {
            throw HDF5Error(path: path, object: name, message: "not a dataset")
        }
        return dataset
    }

    private func datasetShape(_ dataset: hid_t, _ name: String) throws -> [Int] {
        let space = H5Dget_space(dataset)
        defer { H5Sclose(space) }
        let rank = H5Sget_simple_extent_ndims(space)
        guard rank >= 0 else {
            throw HDF5Error(path: path, object: name, message: "unreadable dataspace")
        }
        var dims = [hsize_t](repeating: 0, count: Int(rank))
        H5Sget_simple_extent_dims(space, &dims, nil)
        return dims.map { Int($0) }
    }

    private func expectClass(
        _ dataset: hid_t, _ expected: [H5T_class_t], _ name: String, _ what: String
    ) throws {
        let type = H5Dget_type(dataset)
        defer { H5Tclose(type) }
        guard expected.contains(H5Tget_class(type)) else {
            throw HDF5Error(path: path, object: name, message: "expected \(what)")
        }
    }

    private func stringType(_ name: String) throws -> hid_t {
        let type = H5Tcopy(chdf5_c_string())
        guard type >= 0, H5Tset_size(type, chdf5_variable()) >= 0 else {
            throw HDF5Error(path: path, object: name, message: "cannot make a string type")
        }
        H5Tset_cset(type, H5T_CSET_UTF8)
        return type
    }
}

#if canImport(Glibc)
    import Glibc
#endif
