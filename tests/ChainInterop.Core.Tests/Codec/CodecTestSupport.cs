using System.Buffers;
using System.Text;
using ChainInterop.Codec;
using ChainInterop.Testing;
using FsCheck;
using FsCheck.Fluent;

namespace ChainInterop.Tests.Codec;

/// <summary>Helpers shared by the codec tests.</summary>
internal static class CodecTestSupport
{
    public const int PropertyRuns = 500;

    public static byte[] Hex(string hex) => Convert.FromHexString(hex.Replace(" ", "", StringComparison.Ordinal));

    public static string ToHex(ReadOnlySpan<byte> bytes) => Convert.ToHexStringLower(bytes);

    public delegate void WriteAction(ref CanonicalWriter writer);

    public delegate T ReadFunc<T>(ref CanonicalReader reader);

    public static byte[] Write(WriteAction action)
    {
        var buffer = new ArrayBufferWriter<byte>();
        var writer = new CanonicalWriter(buffer);
        action(ref writer);
        Assert.Equal(buffer.WrittenCount, writer.BytesWritten);
        return buffer.WrittenSpan.ToArray();
    }

    /// <summary>Reads one value with <paramref name="read"/>, checks nothing is left, returns it.</summary>
    public static T ReadAll<T>(byte[] bytes, ReadFunc<T> read, CodecLimits? limits = null)
    {
        var reader = new CanonicalReader(bytes, limits);
        T value = read(ref reader);
        Assert.Equal(bytes.Length, reader.Consumed);
        reader.EnsureEnd();
        return value;
    }

    public static CodecException Fails(byte[] bytes, ReadFunc<object?> read, CodecLimits? limits = null) =>
        Assert.Throws<CodecException>(() =>
        {
            var reader = new CanonicalReader(bytes, limits);
            read(ref reader);
            reader.EnsureEnd();
        });

    public static CodecException Fails(ReadOnlySequence<byte> bytes, ReadFunc<object?> read, CodecLimits? limits = null) =>
        Assert.Throws<CodecException>(() =>
        {
            var reader = new CanonicalReader(bytes, limits);
            read(ref reader);
            reader.EnsureEnd();
        });

    public static void AssertError(CodecException e, CodecError error, long offset)
    {
        Assert.True(e.Error == error && e.Offset == offset, $"expected {error} at {offset}, got {e.Error} at {e.Offset}: {e.Message}");
    }

    // ---- generators (each shrinks inside its own domain) ---------------------------------------------

    public static Arbitrary<byte[]> ByteArrays { get; } = CommonArbitraries.Bytes(Gen.Choose(0, 300));

    private static Gen<int> CodePoints { get; } = Gen.Frequency(
        (6, Gen.Choose(0x20, 0x7e)),
        (1, Gen.Choose(0, 0x7ff)),
        (1, Gen.Choose(0x800, 0xffff).Where(c => c is < 0xd800 or > 0xdfff)),
        (1, Gen.Choose(0x10000, 0x10ffff)));

    /// <summary>Valid Unicode strings (no lone surrogates); shrinks by removing whole code points.</summary>
    public static Arbitrary<string> Strings { get; } = Arb.From(
        Gen.Frequency(
                (3, Gen.Choose(0, 40)),
                (1, Gen.Choose(40, 400)))
            .SelectMany(n => Gen.ArrayOf(CodePoints, n))
            .Select(cps => string.Concat(cps.Select(cp => new Rune(cp).ToString()))),
        s => Shrink.Array(s.EnumerateRunes().ToArray()).Select(runes => string.Concat(runes.Select(r => r.ToString()))));

    /// <summary>Value trees whose total node count is bounded by the FsCheck size (at most about 60).</summary>
    public static Arbitrary<Node> Trees { get; } = Arb.From(Gen.Sized(size => TreeOfSize(Math.Min(size, 60), 0)), ShrinkTree);

    private static Gen<Node> Leaves { get; } = Gen.OneOf(
        Gen.Constant<Node>(new NilNode()),
        Gen.Elements(true, false).Select(b => (Node)new BoolNode(b)),
        Arbitraries.UInt64s.Generator.Select(v => (Node)new UIntNode(v)),
        Arbitraries.Int64s.Generator.Select(v => (Node)new IntNode(v)),
        Strings.Generator.Select(s => (Node)new StrNode(s)),
        ByteArrays.Generator.Select(b => (Node)new BinNode(b)));

    private static Gen<Node> TreeOfSize(int size, int depth)
    {
        if (size <= 1 || depth >= 6)
        {
            return Leaves;
        }

        return Gen.Frequency(
            (2, Leaves),
            (1, Gen.Choose(0, Math.Min(size, 17)).SelectMany(n => Gen.ArrayOf(TreeOfSize(size / (n + 1), depth + 1), n))
                .Select(items => (Node)new ArrayNode(items))),
            (1, Gen.Choose(0, Math.Min(size / 2, 17)).SelectMany(n => Gen.ArrayOf(TreeOfSize(size / (2 * n + 1), depth + 1).Zip(TreeOfSize(size / (2 * n + 1), depth + 1)), n))
                .Select(pairs => (Node)new MapNode(pairs))));
    }

    /// <summary>Smaller trees: a container's own children, fewer or smaller items; leaves toward their simplest value.</summary>
    public static IEnumerable<Node> ShrinkTree(Node node) => node switch
    {
        ArrayNode a => a.Items.Concat(Shrink.Array(a.Items, ShrinkTree).Select(items => (Node)new ArrayNode(items))),
        MapNode m => m.Pairs.SelectMany(p => new[] { p.Key, p.Value })
            .Concat(Shrink.Array(m.Pairs, p => ShrinkTree(p.Key).Select(k => (k, p.Value)).Concat(ShrinkTree(p.Value).Select(v => (p.Key, v))))
                .Select(pairs => (Node)new MapNode(pairs))),
        UIntNode u => Shrink.Toward(u.Value, 0UL).Select(v => (Node)new UIntNode(v)),
        IntNode i => Shrink.Toward(i.Value, 0L).Select(v => (Node)new IntNode(v)),
        StrNode s => Strings.Shrinker(s.Value).Select(v => (Node)new StrNode(v)),
        BinNode b => ByteArrays.Shrinker(b.Value).Select(v => (Node)new BinNode(v)),
        _ => [],
    };

    // ---- segmented sequences (shared with every parser test) ----------------------------------------

    public static ReadOnlySequence<byte> Split(byte[] data, params int[] cuts) => Sequences.Split(data, cuts);

    public static ReadOnlySequence<byte> OneBytePerSegment(byte[] data) => Sequences.OneBytePerSegment(data);
}

/// <summary>A generic MessagePack value tree for property tests.</summary>
internal abstract record Node
{
    public abstract void Write(ref CanonicalWriter writer);

    public byte[] Encode() => CodecTestSupport.Write((ref CanonicalWriter w) => Write(ref w));

    /// <summary>Reads any canonical value back into a tree (typed reads driven by PeekType).</summary>
    public static Node Read(ref CanonicalReader reader)
    {
        switch (reader.PeekType())
        {
            case CanonicalType.Nil:
                reader.ReadNil();
                return new NilNode();
            case CanonicalType.Boolean:
                return new BoolNode(reader.ReadBoolean());
            case CanonicalType.Integer:
            {
                var probe = reader;
                long signed;
                try
                {
                    signed = probe.ReadInt64();
                }
                catch (CodecException e) when (e.Error == CodecError.ValueOutOfRange)
                {
                    return new UIntNode(reader.ReadUInt64());
                }

                if (signed < 0)
                {
                    reader = probe;
                    return new IntNode(signed);
                }

                return new UIntNode(reader.ReadUInt64());
            }

            case CanonicalType.String:
                return new StrNode(reader.ReadString());
            case CanonicalType.Binary:
                return new BinNode(reader.ReadBinaryArray());
            case CanonicalType.Array:
            {
                int count = reader.ReadArrayHeader();
                var items = new Node[count];
                for (int i = 0; i < count; i++)
                {
                    items[i] = Read(ref reader);
                }

                return new ArrayNode(items);
            }

            case CanonicalType.Map:
            {
                int count = reader.ReadMapHeader();
                var pairs = new (Node, Node)[count];
                for (int i = 0; i < count; i++)
                {
                    Node key = Read(ref reader);
                    pairs[i] = (key, Read(ref reader));
                }

                return new MapNode(pairs);
            }

            default:
                reader.Skip();
                throw new InvalidOperationException("Skip should have rejected floats and extensions.");
        }
    }
}

internal sealed record NilNode : Node
{
    public override void Write(ref CanonicalWriter writer) => writer.WriteNil();
}

internal sealed record BoolNode(bool Value) : Node
{
    public override void Write(ref CanonicalWriter writer) => writer.WriteBoolean(Value);
}

internal sealed record UIntNode(ulong Value) : Node
{
    public override void Write(ref CanonicalWriter writer) => writer.WriteUInt64(Value);
}

internal sealed record IntNode(long Value) : Node
{
    public override void Write(ref CanonicalWriter writer) => writer.WriteInt64(Value);
}

internal sealed record StrNode(string Value) : Node
{
    public override void Write(ref CanonicalWriter writer) => writer.WriteString(Value);
}

internal sealed record BinNode(byte[] Value) : Node
{
    public override void Write(ref CanonicalWriter writer) => writer.WriteBinary(Value);
}

internal sealed record ArrayNode(Node[] Items) : Node
{
    public override void Write(ref CanonicalWriter writer)
    {
        writer.WriteArrayHeader(Items.Length);
        foreach (Node item in Items)
        {
            item.Write(ref writer);
        }
    }
}

/// <summary>A map; keys are sorted by encoded bytes and de-duplicated when written, as canonical form requires.</summary>
internal sealed record MapNode((Node Key, Node Value)[] Pairs) : Node
{
    public override void Write(ref CanonicalWriter writer)
    {
        var entries = Pairs
            .Select(p => (Key: p.Key.Encode(), Value: p.Value.Encode()))
            .GroupBy(e => Convert.ToHexString(e.Key))
            .Select(g => g.First())
            .OrderBy(e => e.Key, ByteOrder.Instance)
            .ToList();
        writer.WriteMapHeader(entries.Count);
        foreach (var (key, value) in entries)
        {
            writer.WriteRaw(key);
            writer.WriteRaw(value);
        }
    }

    private sealed class ByteOrder : IComparer<byte[]>
    {
        public static readonly ByteOrder Instance = new();

        public int Compare(byte[]? x, byte[]? y) => x.AsSpan().SequenceCompareTo(y);
    }
}
