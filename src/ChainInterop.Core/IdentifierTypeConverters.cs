using System.ComponentModel;
using System.Globalization;

namespace ChainInterop;

/// <summary>
/// Converts an identifier from and to its text, so configuration binding (<c>IConfiguration.Bind</c>, options from
/// appsettings.json or environment variables) and other <see cref="TypeDescriptor"/> users read ids as plain strings.
/// Invalid text throws a <see cref="FormatException"/> that names the kind of id and the rule it breaks.
/// </summary>
/// <typeparam name="T">The identifier.</typeparam>
internal sealed class IdentifierTypeConverter<T> : TypeConverter
    where T : struct, IIdentifier<T>
{
    public override bool CanConvertFrom(ITypeDescriptorContext? context, Type sourceType) =>
        sourceType == typeof(string) || base.CanConvertFrom(context, sourceType);

    public override bool CanConvertTo(ITypeDescriptorContext? context, Type? destinationType) =>
        destinationType == typeof(string) || base.CanConvertTo(context, destinationType);

    public override object? ConvertFrom(ITypeDescriptorContext? context, CultureInfo? culture, object value) => value switch
    {
        string text when T.TryCreate(text, out var id) => id,
        string text => throw new FormatException($"'{Shown(text)}' is not a valid {T.Kind}."),
        _ => base.ConvertFrom(context, culture, value),
    };

    public override object? ConvertTo(ITypeDescriptorContext? context, CultureInfo? culture, object? value, Type destinationType) =>
        destinationType == typeof(string) && value is T id ? id.Value ?? string.Empty : base.ConvertTo(context, culture, value, destinationType);

    /// <summary>The text as shown in a message: at most <see cref="Identifier.MaxLength"/> characters.</summary>
    internal static string Shown(string text) => text.Length <= Identifier.MaxLength ? text : text[..Identifier.MaxLength] + "…";
}

/// <summary>Converts a <see cref="NodeId"/> from and to its 64 hex digits (see <see cref="IdentifierTypeConverter{T}"/>).</summary>
internal sealed class NodeIdTypeConverter : TypeConverter
{
    public override bool CanConvertFrom(ITypeDescriptorContext? context, Type sourceType) =>
        sourceType == typeof(string) || base.CanConvertFrom(context, sourceType);

    public override bool CanConvertTo(ITypeDescriptorContext? context, Type? destinationType) =>
        destinationType == typeof(string) || base.CanConvertTo(context, destinationType);

    public override object? ConvertFrom(ITypeDescriptorContext? context, CultureInfo? culture, object value) => value switch
    {
        string text when Crypto.Hash256.TryParse(text, out var hash) => new NodeId(hash),
        string text => throw new FormatException($"'{IdentifierTypeConverter<ChainId>.Shown(text)}' is not a node id (64 hex digits)."),
        _ => base.ConvertFrom(context, culture, value),
    };

    public override object? ConvertTo(ITypeDescriptorContext? context, CultureInfo? culture, object? value, Type destinationType) =>
        destinationType == typeof(string) && value is NodeId id ? id.ToString() : base.ConvertTo(context, culture, value, destinationType);
}
