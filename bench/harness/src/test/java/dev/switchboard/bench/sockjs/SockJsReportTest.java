package dev.switchboard.bench.sockjs;

import static org.assertj.core.api.Assertions.assertThat;

import dev.switchboard.bench.measure.Machine;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class SockJsReportTest {

    private static final SockJsConfig CONFIG = new SockJsConfig(false, 1000, 25, List.of(50_000.0, 100_000.0, 125_000.0),
            3, 1, 10_000, 3, 50_000, 50, 0.99, List.of());

    @Test
    void theRatioIsOfTheHighestRatesSustainedAndASecondTryCounts() {
        List<TransportSweep.Row> rows = new ArrayList<>();
        rows.add(row(Transport.WEBSOCKET, 50_000, 20, 1, 50));
        rows.add(row(Transport.XHR_STREAMING, 50_000, 25, 1, 55));
        rows.add(row(Transport.XHR_STREAMING, 100_000, 80, 1, 90));
        rows.add(row(Transport.XHR_STREAMING, 100_000, 30, 2, 90));
        rows.add(row(Transport.WEBSOCKET, 100_000, 30, 1, 85));
        rows.add(row(Transport.WEBSOCKET, 125_000, 40, 1, 99));
        rows.add(row(Transport.XHR_STREAMING, 125_000, 200, 1, 99));
        rows.add(row(Transport.XHR_STREAMING, 125_000, 90, 2, 99));

        String md = render(rows);

        assertThat(md).contains("WebSocket 125,000, xhr-streaming 100,000 deliveries/s; **xhr-streaming / WebSocket = 0.80**");
        assertThat(md).contains("(WebSocket sustained the highest rate offered, so its own limit is higher and the ratio at most this)");
        assertThat(md).contains("| xhr-streaming, 2nd try | 100,000 |");
        assertThat(md).contains("Where xhr-streaming was first not sustained (125,000 deliveries/s): p99 90.00 ms");
        assertThat(md).contains("WebSocket at that rate: p99 40.00 ms");
        // At 100k the first tries ran back to back: the xhr one missed, so that rate is not among "both sustained".
        assertThat(md).contains("at the 1 rates both sustained: median");
    }

    @Test
    void withoutASustainedRateThereIsNoRatio() {
        String md = render(List.of(row(Transport.WEBSOCKET, 50_000, 90, 1, 99), row(Transport.XHR_STREAMING, 50_000, 90, 1, 99)));
        assertThat(md).contains("No ratio: a transport sustained none of the rates.").doesNotContain("**xhr-streaming / WebSocket =");
    }

    private static String render(List<TransportSweep.Row> rows) {
        return new SockJsReport(new SockJsReport.Data(CONFIG, "bench/run --sockjs", new Machine(2, "cpu", 24, "jdk", "os"), "0", "1",
                Duration.ofSeconds(180), 0.5, 1.5, rows, List.of())).render();
    }

    private static TransportSweep.Row row(Transport transport, double rate, double p99, int attempt, double serverCpu) {
        boolean xhr = transport == Transport.XHR_STREAMING;
        return new TransportSweep.Row(transport, rate, rate / 1000, rate, p99 / 3, p99, p99 * 1.2, p99 * 1.3, serverCpu, 5, 50,
                xhr ? 40 : 0, xhr ? 10 : Double.NaN, xhr ? 30 : Double.NaN, true, 0, 1.0, attempt, 1000, 50, 0.99);
    }
}
