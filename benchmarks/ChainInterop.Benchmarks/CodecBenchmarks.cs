using System.Buffers;
using System.Text.Json;
using BenchmarkDotNet.Attributes;
using ChainInterop.Codec;
using Google.Protobuf;

namespace ChainInterop.Benchmarks;

/// <summary>
/// Encode and decode of a ~1 KB signed payment (C2): our canonical MessagePack vs Google.Protobuf (generated code)
/// vs System.Text.Json (source-generated), each encoding into a reused pooled buffer; <c>Baseline_*</c> run the
/// pre-MessagePack-CSharp codec (namespace <c>Baseline</c>, issue 14) on the same payment.
/// </summary>
[MemoryDiagnoser]
[BenchmarkCategory("codec")]
[GroupBenchmarksBy(BenchmarkDotNet.Configs.BenchmarkLogicalGroupRule.ByCategory)]
[CategoriesColumn]
public class CodecBenchmarks : IDisposable
{
    private readonly BenchPayment _payment = BenchPayment.Sample();
    private readonly PooledBufferWriter _buffer = new(4096);
    private Proto.SignedPayment _proto = null!;
    private byte[] _canonical = null!;
    private byte[] _protobuf = null!;
    private byte[] _json = null!;
    private Utf8JsonWriter _jsonWriter = null!;

    [GlobalSetup]
    public void Setup()
    {
        _proto = _payment.ToProto();
        _canonical = Canonical.Encode(_payment);
        _protobuf = _proto.ToByteArray();
        _json = JsonSerializer.SerializeToUtf8Bytes(_payment, BenchJsonContext.Default.BenchPayment);
        _jsonWriter = new Utf8JsonWriter(_buffer);
        Console.WriteLine($"// sizes: canonical {_canonical.Length} B, protobuf {_protobuf.Length} B, json {_json.Length} B");
    }

    /// <summary>The bytes the last encode left in the shared buffer (for the same-bytes check).</summary>
    internal byte[] CanonicalBytes() => _buffer.ToArray();

    [GlobalCleanup]
    public void Dispose()
    {
        _jsonWriter.Dispose();
        _buffer.Dispose();
        GC.SuppressFinalize(this);
    }

    [Benchmark(Baseline = true)]
    [BenchmarkCategory("encode")]
    public int Protobuf_encode()
    {
        _buffer.Reset();
        _proto.WriteTo((IBufferWriter<byte>)_buffer);
        return _buffer.WrittenCount;
    }

    [Benchmark]
    [BenchmarkCategory("encode")]
    public int Canonical_encode()
    {
        _buffer.Reset();
        Canonical.Encode(_payment, _buffer);
        return _buffer.WrittenCount;
    }

    [Benchmark]
    [BenchmarkCategory("encode")]
    public int Baseline_encode()
    {
        _buffer.Reset();
        Baseline.Canonical.Encode(_payment, _buffer);
        return _buffer.WrittenCount;
    }

    [Benchmark]
    [BenchmarkCategory("encode")]
    public int MessagePackCSharp_encode()
    {
        _buffer.Reset();
        var writer = new MessagePack.MessagePackWriter(_buffer);
        _payment.EncodeMessagePack(ref writer);
        writer.Flush();
        return _buffer.WrittenCount;
    }

    [Benchmark]
    [BenchmarkCategory("encode")]
    public int Json_encode()
    {
        _buffer.Reset();
        _jsonWriter.Reset(_buffer);
        JsonSerializer.Serialize(_jsonWriter, _payment, BenchJsonContext.Default.BenchPayment);
        return _buffer.WrittenCount;
    }

    [Benchmark(Baseline = true)]
    [BenchmarkCategory("decode")]
    public Proto.SignedPayment Protobuf_decode() => Proto.SignedPayment.Parser.ParseFrom(new ReadOnlySequence<byte>(_protobuf));

    [Benchmark]
    [BenchmarkCategory("decode")]
    public BenchPayment Canonical_decode() => Canonical.Decode<BenchPayment>(new ReadOnlySequence<byte>(_canonical));

    [Benchmark]
    [BenchmarkCategory("decode")]
    public BenchPayment Baseline_decode() => Baseline.Canonical.Decode<BenchPayment>(new ReadOnlySequence<byte>(_canonical));

    [Benchmark]
    [BenchmarkCategory("decode")]
    public BenchPayment MessagePackCSharp_decode()
    {
        var reader = new MessagePack.MessagePackReader(new ReadOnlySequence<byte>(_canonical));
        return BenchPayment.DecodeMessagePack(ref reader);
    }

    [Benchmark]
    [BenchmarkCategory("decode")]
    public BenchPayment? Json_decode() => JsonSerializer.Deserialize(_json, BenchJsonContext.Default.BenchPayment);

    [Benchmark(Baseline = true)]
    [BenchmarkCategory("roundtrip")]
    public Proto.SignedPayment Protobuf_encode_decode()
    {
        _buffer.Reset();
        _proto.WriteTo((IBufferWriter<byte>)_buffer);
        return Proto.SignedPayment.Parser.ParseFrom(new ReadOnlySequence<byte>(_buffer.WrittenMemory));
    }

    [Benchmark]
    [BenchmarkCategory("roundtrip")]
    public BenchPayment Canonical_encode_decode()
    {
        _buffer.Reset();
        Canonical.Encode(_payment, _buffer);
        return Canonical.Decode<BenchPayment>(_buffer.WrittenMemory);
    }

    [Benchmark]
    [BenchmarkCategory("roundtrip")]
    public BenchPayment Baseline_encode_decode()
    {
        _buffer.Reset();
        Baseline.Canonical.Encode(_payment, _buffer);
        return Baseline.Canonical.Decode<BenchPayment>(_buffer.WrittenMemory);
    }

    [Benchmark]
    [BenchmarkCategory("roundtrip")]
    public BenchPayment? Json_encode_decode()
    {
        _buffer.Reset();
        _jsonWriter.Reset(_buffer);
        JsonSerializer.Serialize(_jsonWriter, _payment, BenchJsonContext.Default.BenchPayment);
        return JsonSerializer.Deserialize(_buffer.WrittenSpan, BenchJsonContext.Default.BenchPayment);
    }
}
