import Foundation

/// Softmax cross-entropy with optional class weights, over the channel axis of `(K, N, H, W)` logits:
/// one decision per sample for classification (H = W = 1) or per pixel for a segmentation head.
public struct SoftmaxCrossEntropy: Sendable {
    /// Weight per class (nil: all 1). The loss is `Σ wᵧ·(−log pᵧ) / Σ wᵧ`.
    public var classWeights: [Float]?

    public init(classWeights: [Float]? = nil) { self.classWeights = classWeights }

    /// The loss and its gradient w.r.t. the logits.
    /// - Parameters: labels: one per `(n, y, x)`, in `0..<K`, or −1 to ignore that position.
    public func evaluate(logits: Tensor, labels: [Int]) -> (loss: Float, gradient: Tensor) {
        let k = logits.shape.channels, m = logits.shape.planeCount
        precondition(labels.count == m, "need \(m) labels, got \(labels.count)")
        var grad = Tensor(zeros: logits.shape)
        var total: Double = 0, weightSum: Double = 0
        var p = [Double](repeating: 0, count: k)
        for i in 0..<m {
            let y = labels[i]
            guard y >= 0 else { continue }
            precondition(y < k, "label \(y) out of range")
            var mx = -Double.infinity
            for c in 0..<k { mx = max(mx, Double(logits.data[c * m + i])) }
            var s: Double = 0
            for c in 0..<k { p[c] = exp(Double(logits.data[c * m + i]) - mx); s += p[c] }
            let w = Double(classWeights?[y] ?? 1)
            total += w * -(log(p[y] / s))
            weightSum += w
            for c in 0..<k { grad.data[c * m + i] = Float(w * (p[c] / s - (c == y ? 1 : 0))) }
        }
        guard weightSum > 0 else { return (0, grad) }
        let scale = Float(1 / weightSum)
        for i in grad.data.indices { grad.data[i] *= scale }
        return (Float(total / weightSum), grad)
    }

    /// Softmax probabilities of `(K, N, H, W)` logits, same layout.
    public static func probabilities(_ logits: Tensor) -> Tensor {
        let k = logits.shape.channels, m = logits.shape.planeCount
        var out = logits
        for i in 0..<m {
            var mx = -Float.infinity
            for c in 0..<k { mx = max(mx, logits.data[c * m + i]) }
            var s: Float = 0
            for c in 0..<k { let e = exp(logits.data[c * m + i] - mx); out.data[c * m + i] = e; s += e }
            for c in 0..<k { out.data[c * m + i] /= s }
        }
        return out
    }
}
