using System.Text;
using System.Text.RegularExpressions;
using Google.Api;
using Microsoft.AspNetCore.Grpc.JsonTranscoding;
using Microsoft.AspNetCore.Mvc.ApiExplorer;
using Microsoft.AspNetCore.Mvc.ModelBinding;

namespace Hosting.GrpcHost.Infrastructure;

/// <summary>
/// Spells each transcoded route's resource path out in the OpenAPI document. The gRPC description
/// provider writes a variable such as <c>{name=organizations/*/invoices/*}</c> as a single
/// <c>{name}</c>, so that every Get, Delete or custom method on a resource collapses onto
/// <c>/v1/{name}</c> (Swashbuckle then refuses the conflicting paths), and a client would have to
/// percent-encode the slashes, which the routes do not accept. Here it becomes
/// <c>/v1/organizations/{organizationId}/invoices/{invoiceId}</c>, one path parameter per segment:
/// the URL a client sends is the same, only its description is exact.
/// </summary>
internal sealed partial class ResourcePathApiDescriptions : IApiDescriptionProvider
{
    private static readonly ModelMetadata StringMetadata = new EmptyModelMetadataProvider().GetMetadataForType(typeof(string));

    /// <summary>After the gRPC description provider (-900), which has added the descriptions.</summary>
    public int Order => -800;

    /// <inheritdoc />
    public void OnProvidersExecuting(ApiDescriptionProviderContext context)
    {
        foreach (var description in context.Results)
        {
            var rule = description.ActionDescriptor.EndpointMetadata.OfType<GrpcJsonTranscodingMetadata>().FirstOrDefault()?.HttpRule;
            if (rule is null || PatternOf(rule) is not { } pattern || !pattern.Contains('=', StringComparison.Ordinal))
            {
                continue;
            }

            var segments = new List<string>();
            var path = new StringBuilder();
            var last = 0;
            foreach (Match variable in Variable().Matches(pattern))
            {
                path.Append(pattern, last, variable.Index - last);
                var field = variable.Groups["field"].Value;
                var parts = variable.Groups["template"].Value.Split('/');
                for (var i = 0; i < parts.Length; i++)
                {
                    if (i > 0)
                    {
                        path.Append('/');
                    }

                    if (parts[i] == "*")
                    {
                        var name = Singular(i > 0 ? parts[i - 1] : field) + "Id";
                        segments.Add(name);
                        path.Append('{').Append(name).Append('}');
                    }
                    else
                    {
                        path.Append(parts[i]);
                    }
                }

                // The request field the segments make up is bound from the path as a whole.
                var jsonPath = string.Join('.', field.Split('.').Select(CamelCase));
                foreach (var bound in description.ParameterDescriptions.Where(p => p.Source == BindingSource.Path && p.Name == jsonPath).ToList())
                {
                    description.ParameterDescriptions.Remove(bound);
                }

                last = variable.Index + variable.Length;
            }

            path.Append(pattern, last, pattern.Length - last);
            description.RelativePath = path.ToString().TrimStart('/');
            foreach (var name in segments)
            {
                description.ParameterDescriptions.Add(new ApiParameterDescription
                {
                    Name = name,
                    ModelMetadata = StringMetadata,
                    Source = BindingSource.Path,
                    IsRequired = true,
                    Type = typeof(string),
                });
            }
        }
    }

    /// <inheritdoc />
    public void OnProvidersExecuted(ApiDescriptionProviderContext context)
    {
    }

    private static string? PatternOf(HttpRule rule) => rule.PatternCase switch
    {
        HttpRule.PatternOneofCase.Get => rule.Get,
        HttpRule.PatternOneofCase.Post => rule.Post,
        HttpRule.PatternOneofCase.Put => rule.Put,
        HttpRule.PatternOneofCase.Patch => rule.Patch,
        HttpRule.PatternOneofCase.Delete => rule.Delete,
        _ => null,
    };

    /// <summary><c>organizations</c> → <c>organization</c>, <c>billingAddresses</c> → <c>billingAddress</c>, <c>mailboxes</c> → <c>mailbox</c>.</summary>
    private static string Singular(string collection)
    {
        if (collection.EndsWith("sses", StringComparison.Ordinal) || collection.EndsWith("xes", StringComparison.Ordinal))
        {
            return collection[..^2];
        }

        return collection.EndsWith('s') ? collection[..^1] : collection;
    }

    private static string CamelCase(string snake)
    {
        var words = snake.Split('_');
        return words[0] + string.Concat(words.Skip(1).Select(w => w.Length == 0 ? w : char.ToUpperInvariant(w[0]) + w[1..]));
    }

    [GeneratedRegex(@"\{(?<field>[\w.]+)=(?<template>[^}]+)\}")]
    private static partial Regex Variable();
}
