using FsCheck;
using FsCheck.Fluent;

namespace ChainInterop.Testing;

/// <summary>Generators with domain-keeping shrinkers that both property-test projects use.</summary>
internal static class CommonArbitraries
{
    /// <summary>Any byte, uniformly; shrinks toward zero.</summary>
    public static Arbitrary<byte> Byte { get; } = Arb.From(Gen.Choose(0, 255).Select(i => (byte)i), b => Shrink.Toward(b, (byte)0));

    /// <summary>Integers in [<paramref name="low"/>, <paramref name="high"/>], shrinking toward <paramref name="low"/>.</summary>
    public static Arbitrary<int> Range(int low, int high) => Arb.From(Gen.Choose(low, high), v => Shrink.Toward(v, low));

    /// <summary>
    /// Byte arrays whose lengths come from <paramref name="lengths"/> (never below <paramref name="minLength"/>) and bytes
    /// from <paramref name="bytes"/> (uniform by default); shrinks toward shorter arrays of zero bytes.
    /// </summary>
    public static Arbitrary<byte[]> Bytes(Gen<int> lengths, Gen<byte>? bytes = null, int minLength = 0) =>
        Arb.From(
            lengths.SelectMany(n => Gen.ArrayOf(bytes ?? Byte.Generator, n)),
            a => Shrink.Array(a, b => Shrink.Toward(b, (byte)0), minLength));
}
