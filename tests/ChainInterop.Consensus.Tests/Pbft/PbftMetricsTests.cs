using System.Diagnostics.Metrics;
using static ChainInterop.Consensus.Tests.Pbft.PbftNormalCaseTests;

namespace ChainInterop.Consensus.Tests.Pbft;

public class PbftMetricsTests
{
    [Fact]
    public void Commits_batch_sizes_and_commit_latency_are_published_on_the_consensus_meter_K2()
    {
        var seen = new Dictionary<string, double>();
        using var listener = new MeterListener();
        listener.InstrumentPublished = (instrument, l) =>
        {
            if (instrument.Meter.Name == "ChainInterop.Consensus")
            {
                l.EnableMeasurementEvents(instrument);
            }
        };

        // Only this test's chain: other tests run in parallel on other instances.
        void Record(Instrument instrument, double value, ReadOnlySpan<KeyValuePair<string, object?>> tags)
        {
            foreach (var tag in tags)
            {
                if (tag.Key == "chain" && (string?)tag.Value == "metrics-chain")
                {
                    lock (seen)
                    {
                        seen[instrument.Name] = seen.GetValueOrDefault(instrument.Name) + value;
                    }
                }
            }
        }

        listener.SetMeasurementEventCallback<long>((i, v, t, _) => Record(i, v, t));
        listener.SetMeasurementEventCallback<int>((i, v, t, _) => Record(i, v, t));
        listener.SetMeasurementEventCallback<double>((i, v, t, _) => Record(i, v, t));
        listener.Start();

        using var net = new PbftTestNetwork(configure: o => o.ChainId = new ChainId("metrics-chain"));
        using var client = ClientKey(30);
        net.StartAll();
        net.Submit(ChainInterop.Consensus.ClientRequest.Create(client, new ChainId("metrics-chain"), 1, "x"u8));
        Assert.True(net.RunUntil(() => net.AllAtLeast(0)));
        lock (seen)
        {
            Assert.Equal(4, seen["chaininterop.consensus.commits"]);
            Assert.Equal(4, seen["chaininterop.consensus.batch_size"]);
            Assert.True(seen.ContainsKey("chaininterop.consensus.commit_latency"));
        }
    }
}
