"""The portal's content: the home page, training bases and what each base publishes."""

from django.contrib.auth.models import Group
from django.core.paginator import Paginator
from django.core.validators import MaxValueValidator, MinValueValidator, RegexValidator
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from modelcluster.contrib.taggit import ClusterTaggableManager
from modelcluster.fields import ParentalKey
from taggit.models import TaggedItemBase
from wagtail.admin.panels import FieldPanel, FieldRowPanel, MultiFieldPanel
from wagtail.contrib.routable_page.models import RoutablePageMixin, path
from wagtail.fields import RichTextField, StreamField
from wagtail.models import Collection, Page
from wagtail.search import index

from portal.accounts.provinces import Province

from .blocks import BaseStreamBlock
from .fields import MultipleChoiceField, choice_labels
from .forms import PortalPageForm
from .taxonomy import Accreditation, Level, ModuleCategory
from .validators import validate_isbn

LISTING_PAGE_SIZE = 12

# Who may change what identifies and ranks a base (its code is used in certificate numbers).
GOVERNANCE_PERMISSION = "cms.change_base_governance"


class HomePage(Page):
    """The portal's front page: what the programme is, the latest news, the bases by province."""

    base_form_class = PortalPageForm

    intro = RichTextField(_("introduction"), blank=True, features=["bold", "italic", "link"])
    body = StreamField(BaseStreamBlock(), verbose_name=_("body"), blank=True)

    content_panels = Page.content_panels + [FieldPanel("intro"), FieldPanel("body")]
    search_fields = Page.search_fields + [index.SearchField("intro")]

    parent_page_types = ["wagtailcore.Page"]
    subpage_types = ["cms.TrainingBaseIndexPage", "cms.NewsIndexPage", "cms.StandardPage"]
    max_count = 1

    class Meta:
        verbose_name = _("home page")

    def get_context(self, request, *args, **kwargs):
        from .selectors import bases_by_province, news_latest

        context = super().get_context(request, *args, **kwargs)
        context["latest_news"] = news_latest(limit=6)
        context["bases_by_province"] = bases_by_province()
        context["base_index"] = TrainingBaseIndexPage.objects.live().first()
        return context


class StandardPage(Page):
    """An ordinary page of text, such as "About the programme"."""

    base_form_class = PortalPageForm

    intro = models.TextField(_("introduction"), blank=True)
    body = StreamField(BaseStreamBlock(), verbose_name=_("body"), blank=True)

    content_panels = Page.content_panels + [FieldPanel("intro"), FieldPanel("body")]
    search_fields = Page.search_fields + [index.SearchField("intro"), index.SearchField("body")]

    parent_page_types = ["cms.HomePage", "cms.StandardPage"]
    subpage_types = ["cms.StandardPage"]

    class Meta:
        verbose_name = _("standard page")


class TrainingBaseIndexPage(RoutablePageMixin, Page):
    """All training bases, by province; also the national textbook and faculty catalogues."""

    base_form_class = PortalPageForm

    intro = RichTextField(_("introduction"), blank=True, features=["bold", "italic", "link"])

    content_panels = Page.content_panels + [FieldPanel("intro")]

    parent_page_types = ["cms.HomePage"]
    subpage_types = ["cms.TrainingBasePage"]
    max_count = 1

    class Meta:
        verbose_name = _("training base index")

    @path("")
    def base_list(self, request):
        from .selectors import bases_by_province

        province = request.GET.get("province", "")
        if province not in Province.values:
            province = ""
        return self.render(
            request,
            context_overrides={
                "province": province,
                "provinces": Province.choices,
                "bases_by_province": bases_by_province(province=province or None),
            },
        )

    @path("textbooks/", name="textbooks")
    def textbook_catalogue(self, request):
        return textbook_listing(
            request, page=self, root=self, template="cms/textbook_catalogue.html"
        )

    @path("faculty/", name="faculty")
    def faculty_catalogue(self, request):
        return faculty_listing(request, page=self, root=self, template="cms/faculty_catalogue.html")


class TrainingBasePage(Page):
    """One training base (培训基地): its profile, contacts and accreditation.

    Publishing it the first time gives the base its own editors group and media collection.
    """

    base_form_class = PortalPageForm

    short_code = models.CharField(
        _("short code"),
        max_length=16,
        unique=True,
        validators=[
            RegexValidator(r"^[A-Z][A-Z0-9-]{1,15}$", _("Use capital letters, digits and dashes."))
        ],
        help_text=_("A short unique code, e.g. GD-SCUT. Used in class and certificate numbers."),
    )
    summary = models.TextField(_("summary"), max_length=300, blank=True)
    province = models.CharField(_("province"), max_length=2, choices=Province.choices)
    city = models.CharField(_("city"), max_length=50)
    address = models.CharField(_("address"), max_length=200, blank=True)
    contact_person = models.CharField(_("contact person"), max_length=50, blank=True)
    contact_phone = models.CharField(_("contact phone"), max_length=30, blank=True)
    contact_email = models.EmailField(_("contact e-mail"), blank=True)
    website = models.URLField(_("website"), blank=True)
    accreditation = models.CharField(
        _("accreditation"), max_length=20, choices=Accreditation.choices
    )
    accredited_year = models.PositiveSmallIntegerField(
        _("year accredited"),
        null=True,
        blank=True,
        validators=[MinValueValidator(2000), MaxValueValidator(2100)],
    )
    logo = models.ForeignKey(
        "wagtailimages.Image",
        verbose_name=_("logo"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    description = StreamField(BaseStreamBlock(), verbose_name=_("description"), blank=True)

    content_panels = Page.content_panels + [
        MultiFieldPanel(
            [
                FieldRowPanel(
                    [
                        FieldPanel("short_code", permission=GOVERNANCE_PERMISSION),
                        FieldPanel("province", permission=GOVERNANCE_PERMISSION),
                        FieldPanel("city"),
                    ]
                ),
                FieldRowPanel(
                    [
                        FieldPanel("accreditation", permission=GOVERNANCE_PERMISSION),
                        FieldPanel("accredited_year", permission=GOVERNANCE_PERMISSION),
                    ]
                ),
                FieldPanel("summary"),
                FieldPanel("logo"),
            ],
            heading=_("Profile"),
        ),
        MultiFieldPanel(
            [
                FieldPanel("address"),
                FieldRowPanel([FieldPanel("contact_person"), FieldPanel("contact_phone")]),
                FieldRowPanel([FieldPanel("contact_email"), FieldPanel("website")]),
            ],
            heading=_("Contacts"),
        ),
        FieldPanel("description"),
    ]
    search_fields = Page.search_fields + [
        index.SearchField("summary"),
        index.SearchField("city"),
        index.SearchField("description"),
        index.FilterField("province"),
    ]

    parent_page_types = ["cms.TrainingBaseIndexPage"]
    subpage_types = ["cms.TextbookIndexPage", "cms.FacultyIndexPage", "cms.NewsIndexPage"]

    class Meta:
        verbose_name = _("training base")
        verbose_name_plural = _("training bases")
        permissions = [
            (
                "change_base_governance",
                _("Can change a training base's code, province and accreditation"),
            )
        ]

    def get_context(self, request, *args, **kwargs):
        context = super().get_context(request, *args, **kwargs)
        children = self.get_children().live().public().specific()
        context["sections"] = children
        context["latest_news"] = (
            NewsPage.objects.live().public().descendant_of(self).order_by("-date", "-pk")[:4]
        )
        context["textbook_count"] = TextbookPage.objects.live().public().descendant_of(self).count()
        context["faculty_count"] = (
            FacultyMemberPage.objects.live().public().descendant_of(self).count()
        )
        return context


class TrainingBaseWorkspace(models.Model):
    """The editors group and media collection that belong to one training base.

    Kept apart from the page so that publishing an older revision never unlinks them.
    """

    base = models.OneToOneField(
        TrainingBasePage, on_delete=models.CASCADE, related_name="workspace"
    )
    editors = models.OneToOneField(
        Group, on_delete=models.PROTECT, related_name="training_base_workspace"
    )
    faculty = models.OneToOneField(
        Group,
        on_delete=models.PROTECT,
        null=True,
        related_name="training_base_faculty_workspace",
        help_text=_(
            "Teachers of this base: they keep its question bank, grade and mark attendance."
        ),
    )
    collection = models.OneToOneField(
        Collection, on_delete=models.PROTECT, related_name="training_base_workspace"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("training base workspace")

    def __str__(self):
        return str(self.base)


class InTrainingBaseMixin:
    """For pages that live below a training base."""

    @property
    def training_base(self):
        return TrainingBasePage.objects.ancestor_of(self).first()


class SyllabusLabelsMixin:
    """For pages that say which levels and module categories they serve."""

    def get_level_labels(self):
        return choice_labels(Level, self.levels)

    def get_module_labels(self):
        return choice_labels(ModuleCategory, self.modules)


def textbook_listing(request, *, page, root, template):
    """Render the textbooks below ``root``, filtered by level and module category."""
    from .selectors import textbooks_filtered

    level = request.GET.get("level", "")
    module = request.GET.get("module", "")
    level = level if level in Level.codes() else ""
    module = module if module in ModuleCategory.values else ""
    textbooks = textbooks_filtered(root=root, level=level or None, module=module or None)
    paginator = Paginator(textbooks, LISTING_PAGE_SIZE)
    return page.render(
        request,
        template=template,
        context_overrides={
            "textbooks": paginator.get_page(request.GET.get("page")),
            "level": level,
            "module": module,
            "levels": Level.as_choices(),
            "modules": ModuleCategory.choices,
        },
    )


def faculty_listing(request, *, page, root, template):
    """Render the faculty below ``root``, filtered by specialty."""
    from .selectors import faculty_filtered, faculty_specialties

    specialty = request.GET.get("specialty", "").strip()
    members = faculty_filtered(root=root, specialty=specialty or None)
    paginator = Paginator(members, LISTING_PAGE_SIZE)
    return page.render(
        request,
        template=template,
        context_overrides={
            "members": paginator.get_page(request.GET.get("page")),
            "specialty": specialty,
            "specialties": faculty_specialties(root=root),
        },
    )


class TextbookIndexPage(InTrainingBaseMixin, RoutablePageMixin, Page):
    """A base's textbooks (教材), filterable by level and module category."""

    base_form_class = PortalPageForm

    intro = models.TextField(_("introduction"), blank=True)
    content_panels = Page.content_panels + [FieldPanel("intro")]

    parent_page_types = ["cms.TrainingBasePage"]
    subpage_types = ["cms.TextbookPage"]
    max_count_per_parent = 1

    class Meta:
        verbose_name = _("textbook index")

    @path("")
    def listing(self, request):
        return textbook_listing(request, page=self, root=self, template=self.get_template(request))


class TextbookPage(InTrainingBaseMixin, SyllabusLabelsMixin, Page):
    """One textbook: its bibliographic record, who it serves, and the book itself."""

    base_form_class = PortalPageForm

    authors = models.CharField(_("authors"), max_length=200)
    publisher = models.CharField(_("publisher"), max_length=100)
    edition = models.CharField(_("edition"), max_length=30, blank=True)
    year = models.PositiveSmallIntegerField(
        _("year"), validators=[MinValueValidator(1980), MaxValueValidator(2100)]
    )
    isbn = models.CharField(_("ISBN"), max_length=20, blank=True, validators=[validate_isbn])
    levels = MultipleChoiceField(
        _("levels"), choices_class=Level, blank=False, help_text=_("The levels it is written for.")
    )
    modules = MultipleChoiceField(_("module categories"), choices_class=ModuleCategory, blank=False)
    summary = models.TextField(_("summary"), blank=True)
    cover = models.ForeignKey(
        "wagtailimages.Image",
        verbose_name=_("cover"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    document = models.ForeignKey(
        "wagtaildocs.Document",
        verbose_name=_("the book (file)"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )

    content_panels = Page.content_panels + [
        MultiFieldPanel(
            [
                FieldPanel("authors"),
                FieldRowPanel([FieldPanel("publisher"), FieldPanel("edition"), FieldPanel("year")]),
                FieldPanel("isbn"),
            ],
            heading=_("Bibliographic record"),
        ),
        MultiFieldPanel([FieldPanel("levels"), FieldPanel("modules")], heading=_("Who it serves")),
        FieldPanel("summary"),
        FieldRowPanel([FieldPanel("cover"), FieldPanel("document")]),
    ]
    search_fields = Page.search_fields + [
        index.SearchField("authors"),
        index.SearchField("publisher"),
        index.SearchField("summary"),
        index.FilterField("isbn"),
    ]

    parent_page_types = ["cms.TextbookIndexPage"]
    subpage_types = []

    class Meta:
        verbose_name = _("textbook")
        verbose_name_plural = _("textbooks")


class FacultyIndexPage(InTrainingBaseMixin, RoutablePageMixin, Page):
    """A base's faculty (师资), filterable by specialty."""

    base_form_class = PortalPageForm

    intro = models.TextField(_("introduction"), blank=True)
    content_panels = Page.content_panels + [FieldPanel("intro")]

    parent_page_types = ["cms.TrainingBasePage"]
    subpage_types = ["cms.FacultyMemberPage"]
    max_count_per_parent = 1

    class Meta:
        verbose_name = _("faculty index")

    @path("")
    def listing(self, request):
        return faculty_listing(request, page=self, root=self, template=self.get_template(request))


class FacultySpecialtyTag(TaggedItemBase):
    content_object = ParentalKey(
        "cms.FacultyMemberPage", on_delete=models.CASCADE, related_name="specialty_items"
    )


class FacultyMemberPage(InTrainingBaseMixin, SyllabusLabelsMixin, Page):
    """One teacher: who they are, what they teach, at which levels."""

    base_form_class = PortalPageForm

    professional_title = models.CharField(_("professional title"), max_length=100, blank=True)
    organisation = models.CharField(_("organisation"), max_length=200)
    province = models.CharField(
        _("province"),
        max_length=2,
        choices=Province.choices,
        blank=True,
        help_text=_("Where they work; leave empty for the training base's province."),
    )
    certificates = models.TextField(
        _("certificates held"),
        blank=True,
        max_length=1000,
        help_text=_("One a line, e.g. 中级技术经纪人 or 专利代理师."),
    )
    photo = models.ForeignKey(
        "wagtailimages.Image",
        verbose_name=_("photo"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    specialties = ClusterTaggableManager(
        verbose_name=_("specialties"), through=FacultySpecialtyTag, blank=True
    )
    levels = MultipleChoiceField(_("levels taught"), choices_class=Level)
    modules = MultipleChoiceField(_("module categories taught"), choices_class=ModuleCategory)
    biography = RichTextField(_("biography"), blank=True, features=["bold", "italic", "link", "ul"])

    content_panels = Page.content_panels + [
        MultiFieldPanel(
            [
                FieldRowPanel([FieldPanel("professional_title"), FieldPanel("organisation")]),
                FieldRowPanel([FieldPanel("province"), FieldPanel("photo")]),
                FieldPanel("certificates"),
            ],
            heading=_("Who they are"),
        ),
        MultiFieldPanel(
            [FieldPanel("specialties"), FieldPanel("levels"), FieldPanel("modules")],
            heading=_("What they teach"),
        ),
        FieldPanel("biography"),
    ]
    search_fields = Page.search_fields + [
        index.SearchField("professional_title"),
        index.SearchField("organisation"),
        index.SearchField("biography"),
        index.RelatedFields("specialties", [index.SearchField("name")]),
        index.FilterField("province"),
    ]

    parent_page_types = ["cms.FacultyIndexPage"]
    subpage_types = []

    class Meta:
        verbose_name = _("faculty member")
        verbose_name_plural = _("faculty members")

    @property
    def effective_province(self) -> str:
        """The province they work in: their own, else their training base's."""
        if self.province:
            return self.province
        base = self.training_base
        return base.province if base else ""

    def get_certificate_lines(self) -> list[str]:
        return [line.strip() for line in self.certificates.splitlines() if line.strip()]


class NewsIndexPage(Page):
    """News, national (under the home page) or of one base (under the base)."""

    base_form_class = PortalPageForm

    intro = models.TextField(_("introduction"), blank=True)
    content_panels = Page.content_panels + [FieldPanel("intro")]

    parent_page_types = ["cms.HomePage", "cms.TrainingBasePage"]
    subpage_types = ["cms.NewsPage"]
    max_count_per_parent = 1

    class Meta:
        verbose_name = _("news index")

    def get_context(self, request, *args, **kwargs):
        context = super().get_context(request, *args, **kwargs)
        items = NewsPage.objects.live().public().child_of(self).order_by("-date", "-pk")
        context["news_items"] = Paginator(items, LISTING_PAGE_SIZE).get_page(
            request.GET.get("page")
        )
        return context


class NewsPage(InTrainingBaseMixin, Page):
    """One news item."""

    base_form_class = PortalPageForm

    date = models.DateField(_("date"), default=timezone.localdate)
    summary = models.TextField(_("summary"), max_length=300, blank=True)
    image = models.ForeignKey(
        "wagtailimages.Image",
        verbose_name=_("image"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    body = StreamField(BaseStreamBlock(), verbose_name=_("body"), blank=True)

    content_panels = Page.content_panels + [
        FieldRowPanel([FieldPanel("date"), FieldPanel("image")]),
        FieldPanel("summary"),
        FieldPanel("body"),
    ]
    search_fields = Page.search_fields + [index.SearchField("summary"), index.SearchField("body")]

    parent_page_types = ["cms.NewsIndexPage"]
    subpage_types = []

    class Meta:
        verbose_name = _("news item")
        verbose_name_plural = _("news items")
