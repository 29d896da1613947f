"""The public site's campaign pages and news: /<programme-slug>/sostienici/ and /notizie/.

Aggregates only (S8): a campaign shows its goal, what was raised and how many gifts (from 5 up),
never a donor's name, amount or contact.
"""

from __future__ import annotations

from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_safe

from trama.funding.selectors.fundraising import (
    progress_of,
    public_campaign,
    public_campaigns,
    public_news_post,
    published_news,
)
from trama.territory.models import Programme

NEWS_PAGE_SIZE = 10


def _public_programme(slug: str) -> Programme:
    """The programme if it is public; 404 alike for a hidden programme and an unknown address."""
    programme = Programme.objects.public().filter(slug=slug).first()
    if programme is None:
        raise Http404
    return programme


@require_safe
def campaigns(request: HttpRequest, slug: str) -> HttpResponse:
    programme = _public_programme(slug)
    rows = [(campaign, progress_of(campaign)) for campaign in public_campaigns(programme)]
    return render(request, "funding/public/campaigns.html", {"programme": programme, "rows": rows})


@require_safe
def campaign(request: HttpRequest, slug: str, campaign_id: str) -> HttpResponse:
    programme = _public_programme(slug)
    found = public_campaign(programme, campaign_id)
    if found is None:
        raise Http404
    news = list(published_news(programme).filter(campaign=found)[:5])
    return render(
        request,
        "funding/public/campaign.html",
        {"programme": programme, "campaign": found, "progress": progress_of(found), "news": news},
    )


@require_safe
def news_list(request: HttpRequest, slug: str) -> HttpResponse:
    programme = _public_programme(slug)
    page = Paginator(published_news(programme), NEWS_PAGE_SIZE).get_page(request.GET.get("page"))
    return render(request, "funding/public/news_list.html", {"programme": programme, "page": page, "query_string": ""})


@require_safe
def news_detail(request: HttpRequest, slug: str, post_id: str) -> HttpResponse:
    programme = _public_programme(slug)
    post = public_news_post(programme, post_id)
    if post is None:
        raise Http404
    return render(request, "funding/public/news_detail.html", {"programme": programme, "post": post})
