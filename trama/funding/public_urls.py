"""Public fundraising campaign pages and news posts on the programme's public site."""

from __future__ import annotations

from django.urls import path

from trama.funding.views import public

app_name = "funding-public"

# Public addresses are Italian and stable (DESIGN.md): people share them in chats and on flyers.
urlpatterns = [
    path("<slug:slug>/sostienici/", public.campaigns, name="campaigns"),
    path("<slug:slug>/sostienici/<uuid:campaign_id>/", public.campaign, name="campaign"),
    path("<slug:slug>/notizie/", public.news_list, name="news-list"),
    path("<slug:slug>/notizie/<uuid:post_id>/", public.news_detail, name="news-detail"),
]
