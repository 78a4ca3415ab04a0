import Foundation

/// An update rule for ``Parameter`` values from their gradients.
public protocol Optimizer {
    /// Applies one step with learning rate `lr` to the trainable parameters.
    mutating func step(_ parameters: [Parameter], learningRate lr: Float)
}

/// SGD with momentum and decoupled weight decay: `v = μv + g; w -= lr·(v + λw)`.
public struct SGD: Optimizer {
    public var momentum: Float
    public var weightDecay: Float
    private var velocity: [ObjectIdentifier: [Float]] = [:]

    public init(momentum: Float = 0.9, weightDecay: Float = 0) {
        self.momentum = momentum
        self.weightDecay = weightDecay
    }

    public mutating func step(_ parameters: [Parameter], learningRate lr: Float) {
        for p in parameters where p.trainable {
            var v = velocity[ObjectIdentifier(p)] ?? [Float](repeating: 0, count: p.value.count)
            let wd = p.decays ? weightDecay : 0
            for i in p.value.indices {
                v[i] = momentum * v[i] + p.grad[i]
                p.value[i] -= lr * (v[i] + wd * p.value[i])
            }
            velocity[ObjectIdentifier(p)] = v
        }
    }
}

/// AdamW (Loshchilov & Hutter): Adam moments with bias correction and decoupled weight decay.
public struct AdamW: Optimizer {
    public var beta1: Float, beta2: Float, epsilon: Float, weightDecay: Float
    /// Steps taken so far.
    public private(set) var t = 0
    private var m: [ObjectIdentifier: [Float]] = [:]
    private var v: [ObjectIdentifier: [Float]] = [:]

    public init(beta1: Float = 0.9, beta2: Float = 0.999, epsilon: Float = 1e-8, weightDecay: Float = 0.01) {
        self.beta1 = beta1; self.beta2 = beta2; self.epsilon = epsilon; self.weightDecay = weightDecay
    }

    public mutating func step(_ parameters: [Parameter], learningRate lr: Float) {
        t += 1
        let c1 = 1 - Float(pow(Double(beta1), Double(t))), c2 = 1 - Float(pow(Double(beta2), Double(t)))
        for p in parameters where p.trainable {
            let id = ObjectIdentifier(p)
            var mm = m[id] ?? [Float](repeating: 0, count: p.value.count)
            var vv = v[id] ?? [Float](repeating: 0, count: p.value.count)
            let wd = p.decays ? weightDecay : 0
            for i in p.value.indices {
                let g = p.grad[i]
                mm[i] = beta1 * mm[i] + (1 - beta1) * g
                vv[i] = beta2 * vv[i] + (1 - beta2) * g * g
                let update = (mm[i] / c1) / ((vv[i] / c2).squareRoot() + epsilon)
                p.value[i] -= lr * (update + wd * p.value[i])
            }
            m[id] = mm
            v[id] = vv
        }
    }
}

/// Cosine learning-rate schedule with linear warm-up:
/// `lr(t) = min + ½(max − min)(1 + cos(π·(t − warmup)/(total − warmup)))`.
public struct CosineSchedule: Sendable, Hashable {
    public var maxRate: Float, minRate: Float, warmupSteps: Int, totalSteps: Int

    /// - Parameters: totalSteps > warmupSteps ≥ 0.
    public init(maxRate: Float, minRate: Float = 0, warmupSteps: Int = 0, totalSteps: Int) {
        precondition(totalSteps > warmupSteps && warmupSteps >= 0, "bad schedule length")
        self.maxRate = maxRate; self.minRate = minRate; self.warmupSteps = warmupSteps; self.totalSteps = totalSteps
    }

    /// The rate at step `t` (0-based; clamps past the end).
    public func rate(at t: Int) -> Float {
        if t < warmupSteps { return maxRate * Float(t + 1) / Float(warmupSteps) }
        let f = Double(min(t, totalSteps) - warmupSteps) / Double(totalSteps - warmupSteps)
        return minRate + 0.5 * (maxRate - minRate) * Float(1 + cos(Double.pi * f))
    }
}

extension AdamW {
    /// The step count and both moments of the trainable `parameters`, flattened (for checkpoints).
    public func state(for parameters: [Parameter]) -> [Float] {
        var out: [Float] = [Float(t)]
        for p in parameters where p.trainable {
            out += m[ObjectIdentifier(p)] ?? [Float](repeating: 0, count: p.value.count)
            out += v[ObjectIdentifier(p)] ?? [Float](repeating: 0, count: p.value.count)
        }
        return out
    }

    /// The number of floats ``state(for:)`` returns.
    public static func stateCount(for parameters: [Parameter]) -> Int {
        1 + parameters.filter(\.trainable).reduce(0) { $0 + 2 * $1.value.count }
    }

    /// Restores what ``state(for:)`` saved. - Precondition: same parameters, same count.
    public mutating func restore(_ state: [Float], for parameters: [Parameter]) {
        precondition(state.count == Self.stateCount(for: parameters), "optimiser state size mismatch")
        t = Int(state[0])
        var o = 1
        for p in parameters where p.trainable {
            let n = p.value.count
            m[ObjectIdentifier(p)] = Array(state[o..<(o + n)]); o += n
            v[ObjectIdentifier(p)] = Array(state[o..<(o + n)]); o += n
        }
    }
}
