import Testing
@testable import GANKit

@Suite struct TensorTests {
    @Test func reshapeSharesStorageAndCopyOnWrite() {
        var a = Tensor(shape: [2, 3], values: [1, 2, 3, 4, 5, 6])
        let b = a.reshaped(to: [3, 2])
        #expect(b.shape == [3, 2])
        a[0, 0] = 10
        #expect(b[0, 0] == 1)
        #expect(a[0, 0] == 10)
    }

    @Test func sliceAlongFirstAxis() {
        let a = Tensor(shape: [3, 2], values: [1, 2, 3, 4, 5, 6])
        let s = a.slice(1..<3)
        #expect(s.shape == [2, 2])
        #expect(s.scalars == [3, 4, 5, 6])
    }

    @Test func gemmSmall() {
        let a = Tensor(shape: [2, 3], values: [1, 2, 3, 4, 5, 6])
        let b = Tensor(shape: [3, 2], values: [7, 8, 9, 10, 11, 12])
        #expect(matmul(a, b).scalars == [58, 64, 139, 154])
        #expect(matmul(a, transposed: true, a).shape == [3, 3])
    }
}
