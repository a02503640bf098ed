using System.Buffers.Binary;
using ChainInterop.Crypto;
using ChainInterop.Settlement.Netting;

namespace ChainInterop.Settlement.Tests.Netting;

/// <summary>Names, ids and an independent model of netting (plain LINQ over the gross records) for the netting tests.</summary>
internal static class NettingTestSupport
{
    public static readonly ChainId Icc = new("icc-1");
    public static readonly ChainId BankA = new("ppc-a");
    public static readonly ChainId BankB = new("ppc-b");
    public static readonly ChainId BankC = new("ppc-c");
    public static readonly ChainId BankD = new("ppc-d");
    public static readonly AssetCode Cny = new("CNY");
    public static readonly AssetCode Usd = new("USD");
    public static readonly AssetCode Eur = new("EUR");
    public static readonly CycleId Cycle1 = new(Icc, 1);

    public static Amount M(long minorUnits) => new(minorUnits);

    /// <summary>A transaction id derived from a number: SHA-256 of its 8 bytes, never zero.</summary>
    public static Hash256 Tx(long n)
    {
        Span<byte> bytes = stackalloc byte[8];
        BinaryPrimitives.WriteInt64BigEndian(bytes, n);
        return Hash256.Compute(bytes);
    }

    public static GrossObligation Ob(long tx, ChainId payer, ChainId payee, AssetCode asset, long amount) =>
        new(Tx(tx), payer, payee, asset, M(amount));

    public static GrossObligationBook Book(IEnumerable<GrossObligation> obligations)
    {
        var book = new GrossObligationBook();
        foreach (var o in obligations)
        {
            Assert.Equal(ObligationCode.Ok, book.Add(o));
        }

        return book;
    }

    /// <summary>The model: received − paid per (participant, asset), in 128 bits.</summary>
    public static Dictionary<(ChainId, AssetCode), Int128> ModelNets(IEnumerable<GrossObligation> obligations)
    {
        var nets = new Dictionary<(ChainId, AssetCode), Int128>();
        foreach (var o in obligations)
        {
            nets[(o.Payer, o.Asset)] = nets.GetValueOrDefault((o.Payer, o.Asset)) - o.Amount.MinorUnits;
            nets[(o.Payee, o.Asset)] = nets.GetValueOrDefault((o.Payee, o.Asset)) + o.Amount.MinorUnits;
        }

        return nets;
    }

    /// <summary>The model: what <paramref name="participant"/> received from <paramref name="counterparty"/> minus what it paid it.</summary>
    public static Int128 ModelBilateral(IEnumerable<GrossObligation> obligations, ChainId participant, ChainId counterparty, AssetCode asset) =>
        obligations.Where(o => o.Asset == asset && o.Payer == counterparty && o.Payee == participant).SumWide(o => (Int128)o.Amount.MinorUnits)
        - obligations.Where(o => o.Asset == asset && o.Payer == participant && o.Payee == counterparty).SumWide(o => (Int128)o.Amount.MinorUnits);

    private static Int128 SumWide<T>(this IEnumerable<T> items, Func<T, Int128> selector)
    {
        Int128 total = 0;
        foreach (var item in items)
        {
            total += selector(item);
        }

        return total;
    }

    /// <summary>Applies instructions to zero balances: each chain's resulting balance per asset.</summary>
    public static Dictionary<(ChainId, AssetCode), Int128> Apply(SettlementInstructionSet set)
    {
        var balances = new Dictionary<(ChainId, AssetCode), Int128>();
        foreach (var i in set.Instructions)
        {
            balances[(i.Payer, i.Asset)] = balances.GetValueOrDefault((i.Payer, i.Asset)) - i.Amount.MinorUnits;
            balances[(i.Payee, i.Asset)] = balances.GetValueOrDefault((i.Payee, i.Asset)) + i.Amount.MinorUnits;
        }

        return balances;
    }
}
