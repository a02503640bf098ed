using System.Buffers;
using ChainInterop.Codec;
using ChainInterop.Crypto;

namespace ChainInterop.Settlement.Vouchers;

/// <summary>Encoding helpers shared by the vouchers: hashing a body, bounded lists, sorted signature sets.</summary>
internal static class VoucherCodec
{
    /// <summary>The first field of every voucher body, so bodies of different kinds never hash alike.</summary>
    internal const uint TransactionBodyKind = 1;
    internal const uint RetentionBodyKind = 2;
    internal const uint RelationBodyKind = 3;
    internal const uint ClearingBodyKind = 4;

    /// <summary>Writes part of a canonical encoding.</summary>
    internal delegate void Writer(ref CanonicalWriter writer);

    /// <summary>Reads one element of a list.</summary>
    internal delegate T Reader<T>(ref CanonicalReader reader);

    /// <summary>SHA-256 of what <paramref name="write"/> writes.</summary>
    internal static Hash256 Hash(Writer write)
    {
        var buffer = new ArrayBufferWriter<byte>(512);
        var writer = new CanonicalWriter(buffer);
        write(ref writer);
        return Hash256.Compute(buffer.WrittenSpan);
    }

    /// <summary>Reads an array header of at most <paramref name="max"/> elements.</summary>
    internal static int ReadCount(ref CanonicalReader reader, int max, string what)
    {
        long offset = reader.Consumed;
        int count = reader.ReadArrayHeader();
        return count <= max ? count : throw new CodecException(CodecError.LimitExceeded, offset, $"more than {max} {what}");
    }

    /// <summary>Reads a list of at most <paramref name="max"/> elements.</summary>
    internal static T[] ReadList<T>(ref CanonicalReader reader, int max, string what, Reader<T> read)
    {
        int count = ReadCount(ref reader, max, what);
        var items = new T[count];
        for (int i = 0; i < count; i++)
        {
            items[i] = read(ref reader);
        }

        return items;
    }

    /// <summary>Writes a list of encodable items.</summary>
    internal static void WriteList<T>(ref CanonicalWriter writer, IReadOnlyList<T> items)
        where T : ICanonicalEncodable<T>
    {
        writer.WriteArrayHeader(items.Count);
        foreach (var item in items)
        {
            item.Encode(ref writer);
        }
    }

    /// <summary>Reads an enum stored as an unsigned integer, refusing undefined values.</summary>
    internal static TEnum ReadEnum<TEnum>(ref CanonicalReader reader, string what)
        where TEnum : struct, Enum
    {
        long offset = reader.Consumed;
        uint raw = reader.ReadUInt32();
        var value = (TEnum)Enum.ToObject(typeof(TEnum), raw);
        return Enum.IsDefined(value) ? value : throw new CodecException(CodecError.ValueOutOfRange, offset, $"not a valid {what}");
    }

    /// <summary>Throws unless <paramref name="signatures"/> is sorted strictly by signer (one signature per institution).</summary>
    internal static void RequireSortedSigners(IReadOnlyList<InstitutionSignature> signatures, long offset)
    {
        for (int i = 1; i < signatures.Count; i++)
        {
            if (signatures[i - 1].Signer.CompareTo(signatures[i].Signer) >= 0)
            {
                throw new CodecException(CodecError.NonCanonical, offset, "signatures must be sorted by signer, one per institution");
            }
        }
    }

    /// <summary><paramref name="signatures"/> with <paramref name="added"/> in its sorted place, replacing any by the same signer.</summary>
    internal static InstitutionSignature[] WithSignature(IReadOnlyList<InstitutionSignature> signatures, InstitutionSignature added)
    {
        var list = new List<InstitutionSignature>(signatures.Count + 1);
        list.AddRange(signatures.Where(s => s.Signer != added.Signer));
        list.Add(added);
        list.Sort((a, b) => a.Signer.CompareTo(b.Signer));
        return [.. list];
    }

    /// <summary>The signature of <paramref name="signer"/>, or null.</summary>
    internal static InstitutionSignature? Find(IReadOnlyList<InstitutionSignature> signatures, InstitutionId signer)
    {
        foreach (var signature in signatures)
        {
            if (signature.Signer == signer)
            {
                return signature;
            }
        }

        return null;
    }

    /// <summary>
    /// Checks a joint signature: every signer in <paramref name="required"/> signed, nobody else did, and each
    /// signature verifies under the signer's key in <paramref name="directory"/>.
    /// </summary>
    internal static VoucherCheck VerifyJoint(
        IReadOnlyList<InstitutionSignature> signatures, IReadOnlyCollection<InstitutionId> required, InstitutionDirectory directory,
        ReadOnlySpan<byte> domainTag, Hash256 id, string what)
    {
        foreach (var signature in signatures)
        {
            if (!required.Contains(signature.Signer))
            {
                return VoucherCheck.Fail(VoucherFailure.UnexpectedSigner, $"{signature.Signer} has no part in signing the {what}");
            }
        }

        foreach (var signer in required)
        {
            if (Find(signatures, signer) is null)
            {
                return VoucherCheck.Fail(VoucherFailure.MissingSignature, $"the {what} lacks the signature of {signer}");
            }
        }

        foreach (var signature in signatures)
        {
            var check = VerifyOne(signature, directory, domainTag, id, what);
            if (!check.IsValid)
            {
                return check;
            }
        }

        return VoucherCheck.Valid;
    }

    /// <summary>Checks one signature under the signer's registered key.</summary>
    internal static VoucherCheck VerifyOne(InstitutionSignature signature, InstitutionDirectory directory, ReadOnlySpan<byte> domainTag, Hash256 id, string what)
    {
        if (!directory.TryGet(signature.Signer, out var entry))
        {
            return VoucherCheck.Fail(VoucherFailure.UnknownInstitution, $"signer {signature.Signer} of the {what} is not in the directory");
        }

        return VoucherInstrumentation.Verify(entry.PublicKey, domainTag, id, signature.Signature.Span)
            ? VoucherCheck.Valid
            : VoucherCheck.Fail(VoucherFailure.InvalidSignature, $"the signature of {signature.Signer} on the {what} does not verify");
    }
}
