public import MetricsTestKit
import Metrics

/// The metrics backend of the test process: swift-metrics can be bootstrapped once per
/// process, and every test target runs in the same one, so the tests that check metrics share
/// this backend. Each test tells its own values apart by a dimension unique to it (a
/// `metricsDimensions` entry, a realm name), as tests run in parallel.
public enum SharedTestMetrics {
    /// The backend, bootstrapped on first use.
    public static let backend: TestMetrics = {
        let metrics = TestMetrics()
        MetricsSystem.bootstrap(metrics)
        return metrics
    }()

    /// A dimension unique to one test: `("test", <name>-<random>)`.
    public static func uniqueDimension(_ name: String) -> (String, String) {
        ("test", "\(name)-\(UInt64.random(in: 0 ... .max))")
    }
}
