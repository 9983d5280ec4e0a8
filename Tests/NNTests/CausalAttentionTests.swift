import Autograd
import Foundation
import NN
import TestSupport
import Testing

/// MulT's future mask (`Tensor.attention(causal: true)`): the official `buffered_future_mask`
/// rule on each sequence's true lengths.
@Suite struct CausalAttentionTests {
    /// Against PyTorch: `make_torch_reference.py --only attention_causal` applies
    /// `triu(−inf, 1 + |Lk − Lq|)` to each sequence's true lengths (equal lengths, more keys,
    /// more queries with nothing masked, a few more queries with keys still hidden), values and
    /// gradients.
    @Test(arguments: ["equal", "more_keys", "more_queries", "some_more_queries"])
    func matchesTheOfficialMaskInPyTorch(_ group: String) throws {
        let fixture = try Fixture("attention_causal")
        let q = try fixture.input("\(group)/q")
        let k = try fixture.input("\(group)/k")
        let v = try fixture.input("\(group)/v")
        let queryLengths = try fixture.ints("\(group)/inputs/query_lengths")
        let keyLengths = try fixture.ints("\(group)/inputs/key_lengths")
        let heads = try fixture.ints("\(group)/heads")[0]
        let out = Tensor.attention(
            query: q, key: k, value: v, heads: heads, queryLengths: queryLengths,
            keyLengths: keyLengths, causal: true)
        expectClose(
            out, try fixture.tensor("\(group)/outputs/out"), rtol: 1e-4, atol: 1e-5,
            "\(group) output")
        (out * (try fixture.tensor("\(group)/weights/out"))).sum().backward()
        for (name, x) in [("q", q), ("k", k), ("v", v)] {
            expectClose(
                try #require(x.grad), try fixture.tensor("\(group)/grads/inputs/\(name)"),
                rtol: 1e-4, atol: 1e-5, "\(group) d/d\(name)")
        }
        // The mask matters where the rule hides keys, and is a no-op where lq >= 2·lk − 1.
        let unmasked = Tensor.attention(
            query: q, key: k, value: v, heads: heads, queryLengths: queryLengths,
            keyLengths: keyLengths)
        expectClose(
            unmasked, try fixture.tensor("\(group)/outputs/out_unmasked"), rtol: 1e-4, atol: 1e-5,
            "\(group) unmasked")
        let differs = zip(out.scalars, unmasked.scalars).contains { Swift.abs($0 - $1) > 1e-3 }
        #expect(
            differs == (group != "more_queries"),
            "\(group): the mask changes the output: \(differs)")
    }

    /// More queries than keys but fewer than 2·lk − 1 (lq = 5, lk = 4): query 0 sees keys 0 and
    /// 1 only (`j − 0 < 1 + 1`), so its output is unmasked attention over those two keys.
    @Test func moreQueriesThanKeysStillHidesKeysFromEarlyQueries() {
        let q = randomTensor([1, 5, 4], seed: 3)
        let k = randomTensor([1, 4, 4], seed: 4)
        let v = randomTensor([1, 4, 2], seed: 5)
        let causal = Tensor.attention(query: q, key: k, value: v, heads: 2, causal: true).scalars
        let firstTwo = Tensor.attention(query: q, key: k, value: v, heads: 2, keyLengths: [2])
            .scalars
        let all = Tensor.attention(query: q, key: k, value: v, heads: 2).scalars
        expectClose(
            Array(causal[0..<2]), Array(firstTwo[0..<2]), rtol: 1e-6, atol: 1e-7,
            "query 0 sees keys 0, 1")
        // Query 3 sees keys 0 ... 4, i.e. all four.
        expectClose(
            Array(causal[6..<8]), Array(all[6..<8]), rtol: 1e-6, atol: 1e-7,
            "query 3 sees every key")
        #expect(zip(causal[0..<2], all[0..<2]).contains { Swift.abs($0 - $1) > 1e-4 })
    }

    @Test func gradientsByFiniteDifferences() {
        let q = randomTensor([2, 5, 4], seed: 11)
        let k = randomTensor([2, 7, 4], seed: 12)
        let v = randomTensor([2, 7, 4], seed: 13)
        checkGradients([q, k, v], "causal attention") {
            Tensor.attention(
                query: $0[0], key: $0[1], value: $0[2], heads: 2, queryLengths: [5, 3],
                keyLengths: [7, 2], causal: true)
        }
    }

    /// Because the rule uses true lengths, padding changes nothing: the same sequences with
    /// queries padded to 9 steps and keys to 14 (instead of 6 and 8) give the same valid rows,
    /// values and gradients. (With the rule on padded lengths, as MMSA applies it, the offset
    /// would change from 1 + |8 − 6| to 1 + |14 − 9| and the rows with it.)
    @Test func paddingDoesNotChangeTheResult() {
        let (queryLengths, keyLengths) = ([6, 3], [8, 5])
        let q = randomTensor([2, 6, 4], seed: 21)
        let k = randomTensor([2, 8, 4], seed: 22)
        let v = randomTensor([2, 8, 4], seed: 23)
        func padded(_ x: Tensor, to steps: Int) -> Tensor {
            Tensor.concat(
                [x, Tensor.zeros([x.shape[0], steps - x.shape[1], x.shape[2]])], axis: 1)
        }
        let (qp, kp, vp) = (padded(q, to: 9), padded(k, to: 14), padded(v, to: 14))
        for x in [q, k, v, qp, kp, vp] { x.requiresGrad = true }
        let short = Tensor.attention(
            query: q, key: k, value: v, heads: 2, queryLengths: queryLengths,
            keyLengths: keyLengths, causal: true)
        let long = Tensor.attention(
            query: qp, key: kp, value: vp, heads: 2, queryLengths: queryLengths,
            keyLengths: keyLengths, causal: true)
        func rows(_ t: Tensor, _ steps: Int, _ lengths: [Int]) -> [Float] {
            let s = t.scalars
            let w = t.shape[2]
            return (0..<2).flatMap { b in Array(s[(b * steps * w)..<((b * steps + lengths[b]) * w)])
            }
        }
        expectClose(
            rows(short, 6, queryLengths), rows(long, 9, queryLengths), rtol: 1e-6, atol: 1e-7,
            "valid output rows")
        short.sum().backward()
        long.sum().backward()
        expectClose(
            rows(q.grad!, 6, queryLengths), rows(qp.grad!, 9, queryLengths), rtol: 1e-5, atol: 1e-6,
            "dq")
        expectClose(
            rows(k.grad!, 8, keyLengths), rows(kp.grad!, 14, keyLengths), rtol: 1e-5, atol: 1e-6,
            "dk")
        // The mask is in effect here: without it the first query's output differs.
        let open = Tensor.attention(
            query: q, key: k, value: v, heads: 2, queryLengths: queryLengths, keyLengths: keyLengths
        )
        #expect(
            zip(short.scalars[0..<4], open.scalars[0..<4]).contains { Swift.abs($0 - $1) > 1e-4 })
    }
}
