import Autograd

/// A layer or model: named trainable parameters, named buffers, named submodules, and a
/// training/evaluation mode that reaches every submodule.
///
/// Parameter *keys* are PyTorch `state_dict` names (`weight`, `bias_hh_l0`, `running_mean`),
/// joined with dots down the tree (`text.lstm.weight_ih_l0`), so weights exported from
/// PyTorch load by name. Subclasses list what they own by overriding `parameters`,
/// `buffers` and `children`; stored properties stay idiomatic Swift names.
open class Module {
    /// Training mode (the default) or evaluation mode; read by Dropout and BatchNorm.
    public private(set) var training = true

    public init() {}

    /// This module's own trainable parameters, keyed by their PyTorch names, in a fixed order.
    open var parameters: [(key: String, tensor: Tensor)] { [] }
    /// This module's own non-trainable state (BatchNorm running statistics).
    open var buffers: [(key: String, tensor: Tensor)] { [] }
    /// Direct submodules, keyed as in PyTorch (`fc1`, `layers.0`, ...). List parameter-free
    /// ones (Dropout) too: `train(_:)` reaches only what is listed here.
    open var children: [(key: String, module: Module)] { [] }

    /// Sets training (`true`) or evaluation mode on this module and every submodule.
    public func train(_ on: Bool = true) {
        var stack: [Module] = [self]
        while let m = stack.popLast() {
            m.training = on
            stack.append(contentsOf: m.children.map(\.module))
        }
    }

    /// Evaluation mode: dropout off, BatchNorm on running statistics.
    public func eval() { train(false) }
}

extension Module {
    /// Every trainable parameter below this module, with its dotted key.
    public func namedParameters() -> [(key: String, tensor: Tensor)] { collect(\.parameters) }

    /// Every buffer below this module, with its dotted key.
    public func namedBuffers() -> [(key: String, tensor: Tensor)] { collect(\.buffers) }

    /// Parameters and buffers together: everything a checkpoint holds.
    public func stateDict() -> [(key: String, tensor: Tensor)] {
        namedParameters() + namedBuffers()
    }

    public var parameterCount: Int { namedParameters().reduce(0) { $0 + $1.tensor.count } }

    /// Drops every parameter's gradient.
    public func zeroGrad() { for (_, parameter) in namedParameters() { parameter.grad = nil } }

    private func collect(
        _ own: KeyPath<Module, [(key: String, tensor: Tensor)]>, prefix: String = ""
    ) -> [(key: String, tensor: Tensor)] {
        var result = self[keyPath: own].map { (key: prefix + $0.key, tensor: $0.tensor) }
        for child in children {
            result += child.module.collect(own, prefix: prefix + child.key + ".")
        }
        return result
    }
}

/// A module built from a list of modules keyed `0`, `1`, ... (PyTorch's `ModuleList`).
public func indexed<M: Module>(_ modules: [M], prefix: String) -> [(key: String, module: Module)] {
    modules.enumerated().map { (key: "\(prefix).\($0.offset)", module: $0.element) }
}
