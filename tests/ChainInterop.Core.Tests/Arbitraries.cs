using ChainInterop.Testing;
using FsCheck;
using FsCheck.Fluent;

namespace ChainInterop.Tests;

/// <summary>Generators with domain-keeping shrinkers that several of this project's properties use.</summary>
internal static class Arbitraries
{
    /// <summary>Unsigned values spread over every magnitude (each encoding size equally likely); shrinks toward zero.</summary>
    public static Arbitrary<ulong> UInt64s { get; } = Arb.From(
        Gen.Zip(Gen.Choose(int.MinValue, int.MaxValue), Gen.Choose(int.MinValue, int.MaxValue))
            .Zip(Gen.Choose(0, 64))
            .Select(t => t.Item2 == 64 ? 0UL : (((ulong)(uint)t.Item1.Item1 << 32) | (uint)t.Item1.Item2) >> t.Item2),
        v => Shrink.Toward(v, 0UL));

    /// <summary>Signed values spread over every magnitude, either sign; shrinks toward zero.</summary>
    public static Arbitrary<long> Int64s { get; } = Arb.From(
        UInt64s.Generator.Zip(Gen.Elements(true, false)).Select(t => t.Item2 ? (long)t.Item1 : ~(long)(t.Item1 >> 1)),
        v => Shrink.Toward(v, 0L));
}
