using ChainInterop.Testing;
using FsCheck;
using FsCheck.Fluent;

namespace ChainInterop.Settlement.Tests;

/// <summary>A non-zero <see cref="Mask"/> xored into the byte at <see cref="Position"/> of an encoding.</summary>
internal readonly record struct ByteFlip(int Position, byte Mask);

/// <summary>Generators with domain-keeping shrinkers that several of this project's properties use.</summary>
internal static class Arbitraries
{
    /// <summary>Flips inside an encoding of <paramref name="length"/> bytes; shrinks toward the first byte and mask 1.</summary>
    public static Arbitrary<ByteFlip> ByteFlips(int length) => Arb.From(
        from position in Gen.Choose(0, length - 1)
        from mask in Gen.Choose(1, 255)
        select new ByteFlip(position, (byte)mask),
        f => Shrink.Toward(f.Position, 0).Select(p => f with { Position = p })
            .Concat(Shrink.Toward(f.Mask, (byte)1).Select(m => f with { Mask = m })));
}
